//! Listing users: a page found from a seek point (`UserQuery::after` at one of
//! `user_anchors`) is the page an offset gives, for every filter, stride and offset, with ids
//! whose numeric order ties ("7" and "007") and gaps; and a search finds exactly the users
//! whose e-mail (or name) holds the text, in every snapshot; `users_counted` gives the page and
//! the count those give; on both databases.

use proptest::prelude::*;
use roster_core::{Role, UserRecord, UserStatus};
use roster_store::{Store, UserQuery};

use crate::store_suite::{snapshot, stores, user};

/// Generated users: distinct ids drawn from a small numeric range, some written with leading
/// zeros so two ids can share a number.
fn users() -> impl Strategy<Value = Vec<UserRecord>> {
    proptest::collection::btree_map((0u32..400, any::<bool>()), (0u8..4, 0u8..3, "[a-z]{1,6}"), 0..160).prop_map(|m| {
        m.into_iter()
            .map(|((n, padded), (role, status, local))| {
                let id = if padded { format!("00{n}") } else { n.to_string() };
                let role = [Role::Admin, Role::Member, Role::Viewer, Role::Guest][role as usize];
                let status = [UserStatus::Active, UserStatus::Pending, UserStatus::Deactivated][status as usize];
                user(&id, &format!("{local}.{id}@acme.test"), role, status, None)
            })
            .collect()
    })
}

fn ids(v: Vec<UserRecord>) -> Vec<String> {
    v.into_iter().map(|u| u.id).collect()
}

async fn seek_equals_offset(users: Vec<UserRecord>, stride: u64) {
    for (db, s) in stores().await {
        let s: &dyn Store = s.as_ref();
        let sync = snapshot(s, "acme", users.clone(), vec![], vec![]).await;
        let filters = [
            UserQuery::default(),
            UserQuery { status: Some(UserStatus::Active), ..UserQuery::default() },
            UserQuery { role: Some(Role::Guest), ..UserQuery::default() },
            UserQuery { email_contains: Some("a".into()), ..UserQuery::default() },
        ];
        for q in filters {
            let all = ids(s.users(sync, &q).await.unwrap());
            counted_agrees(&db, s, sync, &q, &all).await;
            let anchors = s.user_anchors(sync, &q, stride).await.unwrap();
            let every: Vec<String> = all.iter().skip(stride as usize - 1).step_by(stride as usize).cloned().collect();
            assert_eq!(anchors, every, "{db}: the anchors are every {stride}th id of {q:?}");
            for offset in 0..=all.len() as u64 {
                let k = ((offset / stride) as usize).min(anchors.len());
                let seek = UserQuery {
                    after: k.checked_sub(1).map(|i| anchors[i].clone()),
                    offset: offset - k as u64 * stride,
                    limit: Some(5),
                    ..q.clone()
                };
                let want: Vec<String> = all.iter().skip(offset as usize).take(5).cloned().collect();
                assert_eq!(ids(s.users(sync, &seek).await.unwrap()), want, "{db}: offset {offset} of {q:?}");
            }
        }
    }
}

/// `users_counted` gives `users`' page and `count_users`' total for `q`, with and without a
/// limit, at the first offset, inside, at the end and past it.
async fn counted_agrees(db: &str, s: &dyn Store, sync: i64, q: &UserQuery, all: &[String]) {
    let n = all.len() as u64;
    for offset in [0, 1, n.saturating_sub(1), n, n + 2] {
        for limit in [None, Some(0), Some(1), Some(3), Some(n.max(1))] {
            let page = UserQuery { offset, limit, ..q.clone() };
            let (users, total) = s.users_counted(sync, &page).await.unwrap();
            let want: Vec<String> =
                all.iter().skip(offset as usize).take(limit.unwrap_or(u64::MAX) as usize).cloned().collect();
            assert_eq!(ids(users), want, "{db}: users_counted's page of {page:?}");
            assert_eq!(total as usize, all.len(), "{db}: users_counted's total of {page:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_page_from_a_seek_point_is_the_page_at_its_offset(users in users(), stride in 1u64..12) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(seek_equals_offset(users, stride));
    }
}

/// A search text: a slice of a stored e-mail or name with its case changed, or any short text
/// (wildcards, quotes and `@` included), with spaces around it sometimes.
fn needle(users: &[UserRecord]) -> impl Strategy<Value = String> {
    let texts: Vec<String> = users.iter().flat_map(|u| [u.email.clone(), u.name.clone()]).collect();
    let slice = (0..texts.len().max(1), any::<prop::sample::Index>(), 0usize..40, any::<bool>()).prop_map(
        move |(i, at, len, upper)| {
            let Some(t) = texts.get(i) else { return String::new() };
            let chars: Vec<char> = t.chars().collect();
            let start = at.index(chars.len().max(1)).min(chars.len());
            let s: String = chars[start..].iter().take(len).collect();
            if upper {
                s.to_uppercase()
            } else {
                s
            }
        },
    );
    prop_oneof![3 => slice, 1 => "[a-zA-Z%_!\"@. ]{0,6}", 1 => " [a-z]{1,4} "]
}

/// Users whose e-mails and names hold LIKE's and FTS5's special characters, and a second
/// snapshot where some are renamed: a search of each snapshot finds what that snapshot holds.
fn searchable() -> impl Strategy<Value = (Vec<UserRecord>, Vec<String>)> {
    // Few letters, so addresses share local parts across domains and domains across people.
    let one = ("[abc._%!\"-]{1,4}", "(a|ab|b|bab)", "[A-Za-z' %_\"!@.]{0,12}");
    proptest::collection::vec(one, 1..40).prop_flat_map(|v| {
        let users: Vec<UserRecord> = v
            .into_iter()
            .enumerate()
            .map(|(n, (local, domain, name))| {
                let mut u = user(
                    &(n + 1).to_string(),
                    &format!("{local}@{domain}.test"),
                    Role::Member,
                    UserStatus::Active,
                    None,
                );
                u.name = name;
                u
            })
            .collect();
        let n = users.len();
        (Just(users), proptest::collection::vec("[A-Za-z ]{0,10}", n))
    })
}

fn holds(u: &UserRecord, text: &str, name_too: bool) -> bool {
    let t = text.trim().to_lowercase();
    u.email.to_lowercase().contains(&t) || (name_too && u.name.to_lowercase().contains(&t))
}

async fn search_finds_substrings(users: Vec<UserRecord>, renames: Vec<String>, needles: Vec<String>) {
    for (db, s) in stores().await {
        let s: &dyn Store = s.as_ref();
        let first = snapshot(s, "acme", users.clone(), vec![], vec![]).await;
        let later: Vec<UserRecord> = users
            .iter()
            .zip(&renames)
            .enumerate()
            .map(|(i, (u, name))| if i % 2 == 0 { UserRecord { name: name.clone(), ..u.clone() } } else { u.clone() })
            .collect();
        let second = snapshot(s, "acme", later.clone(), vec![], vec![]).await;
        for (sync, held) in [(first, &users), (second, &later)] {
            for text in &needles {
                for name_too in [false, true] {
                    let q = if name_too {
                        UserQuery { search: Some(text.clone()), ..UserQuery::default() }
                    } else {
                        UserQuery { email_contains: Some(text.clone()), ..UserQuery::default() }
                    };
                    let mut want: Vec<&str> =
                        held.iter().filter(|u| holds(u, text, name_too)).map(|u| u.id.as_str()).collect();
                    want.sort_by_key(|id| id.parse::<i64>().unwrap());
                    let got = ids(s.users(sync, &q).await.unwrap());
                    assert_eq!(got, want, "{db}: sync {sync}, {q:?}");
                    assert_eq!(s.count_users(sync, &q).await.unwrap() as usize, want.len(), "{db}: count of {q:?}");
                    let want: Vec<String> = want.into_iter().map(String::from).collect();
                    counted_agrees(&db, s, sync, &q, &want).await;
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn search_finds_exactly_the_users_holding_the_text(
        (users, renames, needles) in searchable().prop_flat_map(|(users, renames)| {
            let needles = proptest::collection::vec(needle(&users), 1..12);
            (Just(users), Just(renames), needles)
        }),
    ) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(search_finds_substrings(users, renames, needles));
    }
}
