//! `User` and the `users` query: filters, default statuses, sorting and paging as monday.com
//! applies them per API version.

use std::collections::HashSet;

use async_graphql::dynamic::{FieldValue, InputValue, Object, ObjectAccessor, TypeRef};
use async_graphql::Value;

use super::account::{AccountRef, ProductRef};
use super::resolve::*;
use super::teams::TeamRef;
use super::RequestCtx;
use crate::model::{BoardKind, User, UserKind, UserStatus, World};
use crate::version::ApiVersion;

/// A user, by position in `World::users()`.
#[derive(Debug, Clone, Copy)]
pub struct UserRef(pub usize);

/// A user's photo URLs.
pub struct PhotoRef(usize);

fn user<'a>(c: &'a RequestCtx, r: &UserRef) -> &'a User {
    &c.world.users()[r.0]
}

fn ts(t: &Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}

fn photo(c: &RequestCtx, pos: usize, size: &str) -> Value {
    let u = &c.world.users()[pos];
    if u.has_photo {
        Value::from(format!("https://files.monday.com/photos/{}/{size}/{}-user_{size}.png", u.id, u.id))
    } else {
        Value::from(format!("https://cdn.monday.com/icons/dapulse-person-column.svg?{size}"))
    }
}

/// The `User` type for `version`.
pub fn user_type(version: ApiVersion) -> Object {
    let s = |n: &str, f: fn(&User) -> Value| {
        scalar::<UserRef, _>(n, TypeRef::named(TypeRef::STRING), move |c, r| f(user(c, r)))
    };
    let nn_s = |n: &str, f: fn(&User) -> Value| {
        scalar::<UserRef, _>(n, TypeRef::named_nn(TypeRef::STRING), move |c, r| f(user(c, r)))
    };
    let mut o = Object::new("User")
        .field(scalar::<UserRef, _>("id", TypeRef::named_nn(TypeRef::ID), |c, r| {
            Value::from(user(c, r).id.to_string())
        }))
        .field(child::<UserRef, _>("account", TypeRef::named_nn("Account"), |_, _, _| Ok(object(AccountRef))))
        .field(child::<UserRef, _>("account_products", TypeRef::named_nn_list("AccountProduct"), |c, _, _| {
            Ok(objects((0..c.world.account().products.len()).map(ProductRef)))
        }))
        .field(scalar::<UserRef, _>("account_id", TypeRef::named_nn(TypeRef::ID), |c, _| {
            Value::from(c.world.account().id.to_string())
        }))
        .field(s("birthday", |u| opt_str(&u.birthday)))
        .field(s("country_code", |u| opt_str(&u.country_code)))
        .field(scalar::<UserRef, _>("created_at", TypeRef::named_nn("ISO8601DateTime"), |c, r| {
            ts(&Some(user(c, r).created_at))
        }))
        .field(s("current_language", |u| opt_str(&u.current_language)))
        .field(nn_s("email", |u| Value::from(u.email.clone())))
        .field(scalar::<UserRef, _>("last_activity", TypeRef::named("Date"), |c, r| ts(&user(c, r).last_activity)))
        .field(s("location", |u| opt_str(&u.location)))
        .field(s("mobile_phone", |u| opt_str(&u.mobile_phone)))
        .field(nn_s("name", |u| Value::from(u.name.clone())))
        .field(null_field("out_of_office", TypeRef::named("OutOfOffice")))
        .field(s("phone", |u| opt_str(&u.phone)))
        .field(
            child::<UserRef, _>("teams", TypeRef::named_list("Team"), |c, r, args| {
                let only = id_list(args, "ids")?;
                let ids = c.world.teams_of(user(c, r).id);
                Ok(objects(
                    ids.iter()
                        .filter(|id| only.as_ref().is_none_or(|o| o.contains(id)))
                        .filter_map(|id| c.world.team_pos(*id))
                        .map(TeamRef::Team),
                ))
            })
            .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID))),
        )
        .field(s("time_zone_identifier", |u| opt_str(&u.time_zone_identifier)))
        .field(nn_s("title", |u| Value::from(u.title.clone())))
        .field(scalar::<UserRef, _>("url", TypeRef::named_nn(TypeRef::STRING), |c, r| {
            Value::from(format!("https://{}.monday.com/users/{}", c.world.account().slug, user(c, r).id))
        }))
        .field(scalar::<UserRef, _>("utc_hours_diff", TypeRef::named(TypeRef::FLOAT), |c, r| {
            user(c, r).utc_hours_diff.map_or(Value::Null, Value::from)
        }))
        .field(nn_s("kind", |u| Value::from(u.kind.as_str())))
        .field(super::roles::user_config_field())
        .field(super::departments::user_department_field())
        .field(scalar::<UserRef, _>("status", TypeRef::named_nn("UserStatus"), |c, r| {
            enum_value(user(c, r).status.as_str())
        }))
        .field(scalar::<UserRef, _>("invitation_method", TypeRef::named_nn("InvitationMethod"), |c, r| {
            enum_value(user(c, r).invitation_method.as_str())
        }))
        .field(null_field("serial_number", TypeRef::named(TypeRef::INT)))
        .field(scalar::<UserRef, _>("bb_visitor_id", TypeRef::named_nn(TypeRef::ID), |c, r| {
            Value::from(format!("bb-{}-{}", c.world.account().id, user(c, r).id))
        }))
        .field(scalar::<UserRef, _>("is_deleted", TypeRef::named_nn(TypeRef::BOOLEAN), |_, _| Value::from(false)))
        .field(child::<UserRef, _>("photo_url", TypeRef::named("PhotoUrl"), |_, r, _| Ok(object(PhotoRef(r.0)))))
        .field(scalar::<UserRef, _>("became_active_at", TypeRef::named("ISO8601DateTime"), |c, r| {
            ts(&user(c, r).became_active_at)
        }))
        .field(scalar::<UserRef, _>("is_email_confirmed", TypeRef::named_nn(TypeRef::BOOLEAN), |c, r| {
            Value::from(user(c, r).is_email_confirmed)
        }));
    if version == ApiVersion::V2026_07 {
        let b = |n: &str, f: fn(&User) -> bool| {
            scalar::<UserRef, _>(n, TypeRef::named(TypeRef::BOOLEAN), move |c, r| Value::from(f(user(c, r))))
                .deprecation(Some("This field is deprecated."))
        };
        let photo_field = |n: &'static str, size: &'static str| {
            scalar::<UserRef, _>(n, TypeRef::named(TypeRef::STRING), move |c, r| photo(c, r.0, size))
                .deprecation(Some("Please use photo_url instead."))
        };
        o = o
            .field(
                scalar::<UserRef, _>("enabled", TypeRef::named_nn(TypeRef::BOOLEAN), |c, r| {
                    Value::from(user(c, r).status != UserStatus::Inactive)
                })
                .deprecation(Some("Please use status instead.")),
            )
            .field(
                null_field("encrypt_api_token", TypeRef::named(TypeRef::STRING))
                    .deprecation(Some("This field is deprecated.")),
            )
            .field(b("is_admin", |u| u.kind == UserKind::Admin))
            .field(b("is_guest", |u| u.kind == UserKind::Guest))
            .field(b("is_pending", |u| u.status == UserStatus::Pending))
            .field(b("is_verified", |u| u.is_email_confirmed))
            .field(b("is_view_only", |u| u.kind == UserKind::Viewer))
            .field(
                scalar::<UserRef, _>("join_date", TypeRef::named("Date"), |c, r| {
                    user(c, r).became_active_at.map_or(Value::Null, |t| Value::from(t.format("%Y-%m-%d").to_string()))
                })
                .deprecation(Some("Please use became_active_at instead.")),
            )
            .field(photo_field("photo_original", "original"))
            .field(photo_field("photo_small", "small"))
            .field(photo_field("photo_thumb", "thumb"))
            .field(photo_field("photo_thumb_small", "thumb_small"))
            .field(photo_field("photo_tiny", "tiny"))
            .field(
                scalar::<UserRef, _>("sign_up_product_kind", TypeRef::named(TypeRef::STRING), |_, _| {
                    Value::from("core")
                })
                .deprecation(Some("This field is deprecated.")),
            );
    }
    o
}

/// The `PhotoUrl` type.
pub fn photo_type() -> Object {
    ["original", "small", "thumb", "thumb_small", "tiny"].into_iter().fold(Object::new("PhotoUrl"), |o, size| {
        o.field(scalar::<PhotoRef, _>(size, TypeRef::named(TypeRef::STRING), move |c, p| photo(c, p.0, size)))
    })
}

/// The arguments of `users`, validated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UsersQuery {
    /// Only these ids.
    pub ids: Option<Vec<u64>>,
    /// Only these e-mails.
    pub emails: Option<Vec<String>>,
    /// Names containing this.
    pub name: Option<String>,
    /// `all`, `non_guests`, `guests` or `non_pending`.
    pub kind: Option<String>,
    /// Only these user kinds (2026-10).
    pub user_kind_in: Option<Vec<String>>,
    /// None of these user kinds (2026-10).
    pub user_kind_not_in: Option<Vec<String>>,
    /// Only these statuses (2026-10).
    pub status: Option<Vec<String>>,
    /// Only deactivated users.
    pub non_active: Option<bool>,
    /// Newest users first.
    pub newest_first: bool,
    /// Sort descending (2026-10).
    pub sort_desc: Option<bool>,
}

impl UsersQuery {
    /// Reads the arguments of a `users` field.
    pub fn from_args(args: &ObjectAccessor) -> Res<UsersQuery> {
        let mut q = UsersQuery {
            ids: id_list(args, "ids")?,
            name: opt_string(args, "name")?,
            kind: opt_enum(args, "kind")?,
            status: enum_list(args, "status")?,
            non_active: opt_bool(args, "non_active")?,
            newest_first: opt_bool(args, "newest_first")?.unwrap_or(false),
            ..UsersQuery::default()
        };
        if let Some(v) = args.get("emails").filter(|v| !v.is_null()) {
            let list = match v.list() {
                Ok(l) => l
                    .iter()
                    .filter(|e| !e.is_null())
                    .map(|e| e.string().map(str::to_string))
                    .collect::<Res<Vec<_>>>()?,
                Err(_) => vec![v.string()?.to_string()],
            };
            q.emails = Some(list);
        }
        if let Some(v) = args.get("user_kind").filter(|v| !v.is_null()) {
            let o = v.object()?;
            q.user_kind_in = enum_list(&o, "in")?;
            q.user_kind_not_in = enum_list(&o, "not_in")?;
        }
        if let Some(v) = args.get("sort").filter(|v| !v.is_null()) {
            let sorts: Vec<_> = match v.list() {
                Ok(l) => l
                    .iter()
                    .map(|s| s.object().and_then(|o| Ok(o.try_get("direction")?.enum_name()? == "DESC")))
                    .collect::<Res<_>>()?,
                Err(_) => vec![v.object()?.try_get("direction")?.enum_name()? == "DESC"],
            };
            // CREATED_AT is the only sort field; the first sort wins.
            q.sort_desc = sorts.first().copied();
        }
        Ok(q)
    }

    /// The statuses this query returns. Since 2026-07, users without a `status` argument are
    /// ACTIVE and PENDING; `non_active: true` asks for the deactivated ones, `false` for the
    /// enabled ones [C for the default, INF for combining both arguments: they intersect].
    fn statuses(&self) -> Vec<UserStatus> {
        let from_status = self.status.as_ref().map(|list| {
            list.iter()
                .filter_map(|s| match s.as_str() {
                    "ACTIVE" => Some(UserStatus::Active),
                    "INACTIVE" => Some(UserStatus::Inactive),
                    "PENDING" => Some(UserStatus::Pending),
                    _ => None,
                })
                .collect::<Vec<_>>()
        });
        let from_non_active = self.non_active.map(|na| {
            if na {
                vec![UserStatus::Inactive]
            } else {
                vec![UserStatus::Active, UserStatus::Pending]
            }
        });
        match (from_status, from_non_active) {
            (Some(a), Some(b)) => a.into_iter().filter(|s| b.contains(s)).collect(),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => vec![UserStatus::Active, UserStatus::Pending],
        }
    }

    /// Whether `u` passes every filter. `name` is a case-insensitive substring match, exact
    /// when combined with a kind or e-mail filter (monday.com's documented behaviour).
    pub fn matches(&self, u: &User, statuses: &[UserStatus]) -> bool {
        if !statuses.contains(&u.status) {
            return false;
        }
        if let Some(ids) = &self.ids {
            if !ids.contains(&u.id) {
                return false;
            }
        }
        if let Some(emails) = &self.emails {
            if !emails.iter().any(|e| e.trim().eq_ignore_ascii_case(&u.email)) {
                return false;
            }
        }
        if let Some(name) = &self.name {
            let exact = self.kind.is_some()
                || self.user_kind_in.is_some()
                || self.user_kind_not_in.is_some()
                || self.emails.is_some();
            let (n, want) = (u.name.to_lowercase(), name.to_lowercase());
            if (exact && n != want) || (!exact && !n.contains(&want)) {
                return false;
            }
        }
        match self.kind.as_deref() {
            Some("guests") if u.kind != UserKind::Guest => return false,
            Some("non_guests") if u.kind == UserKind::Guest => return false,
            Some("non_pending") if u.status == UserStatus::Pending => return false,
            _ => {}
        }
        if let Some(list) = &self.user_kind_in {
            if !list.iter().any(|k| k == u.kind.filter_name()) {
                return false;
            }
        }
        if let Some(list) = &self.user_kind_not_in {
            if list.iter().any(|k| k == u.kind.filter_name()) {
                return false;
            }
        }
        true
    }

    /// Runs the query over `candidates` (positions in `world.users()`, in id order).
    pub fn run(&self, world: &World, candidates: impl Iterator<Item = usize>, window: Window) -> Vec<UserRef> {
        let statuses = self.statuses();
        let users = world.users();
        let mut found: Vec<usize> = candidates.filter(|&i| self.matches(&users[i], &statuses)).collect();
        let desc = self.sort_desc.or(self.newest_first.then_some(true));
        if let Some(desc) = desc {
            // Stable sort: ties keep id order, so pages never overlap.
            found.sort_by(|&a, &b| {
                let o = users[a].created_at.cmp(&users[b].created_at);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        window.apply(found).into_iter().map(UserRef).collect()
    }
}

/// The users a guest can see: themselves and whoever shares a shareable board or a team with
/// them [INF: monday.com hides the rest of the directory from guests].
pub fn visible_to_guest(world: &World, viewer: &User) -> HashSet<u64> {
    let mut seen: HashSet<u64> = HashSet::from([viewer.id]);
    for b in world.boards() {
        if b.kind == BoardKind::Share && world.can_see_board(viewer, b) {
            seen.extend(&b.subscribers);
        }
    }
    for t in world.teams_of(viewer.id) {
        if let Some(p) = world.team_pos(*t) {
            seen.extend(&world.teams()[p].members);
        }
    }
    seen
}

/// The root `users` field.
pub fn users_field() -> async_graphql::dynamic::Field {
    root("users", TypeRef::named_nn_list("User"), |c, args| {
        let q = UsersQuery::from_args(args)?;
        let w = window(args, Some(200), MAX_USERS_PAGE)?;
        let viewer = c.viewer();
        let found = if viewer.kind == UserKind::Guest {
            let visible = visible_to_guest(&c.world, viewer);
            q.run(&c.world, (0..c.world.users().len()).filter(|&i| visible.contains(&c.world.users()[i].id)), w)
        } else {
            q.run(&c.world, 0..c.world.users().len(), w)
        };
        Ok(objects(found))
    })
    .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)))
    .argument(InputValue::new("name", TypeRef::named(TypeRef::STRING)))
    .argument(InputValue::new("emails", TypeRef::named_nn_list(TypeRef::STRING)))
    .argument(InputValue::new("user_kind", TypeRef::named("UserKindFilterInput")))
    .argument(InputValue::new("sort", TypeRef::named_nn_list("UsersSortInput")))
    .argument(InputValue::new("visibility", TypeRef::named(TypeRef::STRING)))
    .argument(InputValue::new("status", TypeRef::named_nn_list("UserStatus")))
    .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(200))
    .argument(InputValue::new("page", TypeRef::named(TypeRef::INT)).default_value(1))
    .argument(InputValue::new("kind", TypeRef::named("UserKind")))
    .argument(InputValue::new("non_active", TypeRef::named(TypeRef::BOOLEAN)))
    .argument(InputValue::new("newest_first", TypeRef::named(TypeRef::BOOLEAN)))
}

/// The root `me` field.
pub fn me_field() -> async_graphql::dynamic::Field {
    root("me", TypeRef::named("User"), |c, _| Ok(Some(FieldValue::owned_any(UserRef(c.viewer_pos)))))
}
