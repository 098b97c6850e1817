//! The board query shapes real clients send (Airbyte's source-monday boards stream, the Python
//! SDKs' `fetch_boards`) validate and answer: columns with their type, width, archived flag and
//! settings, views with their settings, every board's top group. Before, a missing field failed
//! the whole query and those clients read no board at all.

use crate::common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn board_queries_of_real_clients_answer() {
    let org = org(60, 33);
    let sim = start(org.clone()).await;
    let q = "{ boards(limit: 100, state: all) { id name top_group { id title color position archived deleted } \
             groups { id title color position archived deleted } \
             columns { id title description type width archived settings_str } \
             views { id name type settings_str view_specific_data_str } } }";
    let a = gql(&sim, ADMIN, None, q, json!({})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["errors"], json!(null), "{}", a.body);
    let boards = a.body["data"]["boards"].as_array().unwrap();
    assert_eq!(boards.len(), org.boards.len());
    for b in boards {
        assert_eq!(b["top_group"]["id"], "topics", "{b}");
        assert_eq!(b["groups"], json!([b["top_group"]]), "{b}");
    }
}

/// Airbyte's items stream: `boards { items_page { cursor items { ... column_values { ... on
/// MirrorValue { display_value } } } } }`, then `next_items_page(cursor)` until no cursor.
const ITEM_FIELDS: &str = "id name created_at updated_at creator_id state board { id name } group { id } \
    parent_item { id } subscribers { id } assets { id name } updates { id } \
    column_values { id text type value ... on MirrorValue { display_value } \
    ... on BoardRelationValue { display_value } ... on DependencyValue { display_value } \
    ... on StatusValue { index label } ... on DateValue { date } }";

#[tokio::test]
async fn items_page_and_next_items_page_read_every_item_once() {
    let org = org(60, 34);
    let sim = start(org.clone()).await;
    let mut seen = 0;
    for b in &org.boards {
        let q = format!("{{ boards(ids: [{}], state: all) {{ columns {{ id type }} items_page(limit: 2) {{ cursor items {{ {ITEM_FIELDS} }} }} }} }}", b.id);
        let a = gql(&sim, ADMIN, Some("2024-10"), &q, json!({})).await;
        assert_eq!(a.body["errors"], json!(null), "{}", a.body);
        let board = &a.body["data"]["boards"][0];
        assert_eq!(board["columns"].as_array().unwrap().len(), monday_sim::items::COLUMNS.len());
        let mut page = board["items_page"].clone();
        let mut ids = vec![];
        loop {
            for i in page["items"].as_array().unwrap() {
                assert_eq!(i["board"]["id"], b.id.to_string());
                assert_eq!(i["column_values"].as_array().unwrap().len(), 3, "{i}");
                let status = &i["column_values"][0];
                let index = status["index"].as_i64().unwrap() as usize;
                assert_eq!(status["text"], monday_sim::items::STATUS_LABELS[index]);
                assert_eq!(status["value"], json!(format!("{{\"index\":{index}}}")), "value is JSON text");
                ids.push(i["id"].as_str().unwrap().to_string());
            }
            let Some(cursor) = page["cursor"].as_str() else { break };
            let q =
                format!("{{ next_items_page(cursor: \"{cursor}\", limit: 2) {{ cursor items {{ {ITEM_FIELDS} }} }} }}");
            let a = gql(&sim, ADMIN, None, &q, json!({})).await;
            assert_eq!(a.body["errors"], json!(null), "{}", a.body);
            page = a.body["data"]["next_items_page"].clone();
        }
        let want: Vec<String> =
            (0..monday_sim::items::count(b)).map(|k| monday_sim::items::item(b, k).id.to_string()).collect();
        assert_eq!(ids, want, "board {}", b.id);
        seen += ids.len();
    }
    assert!(seen > org.boards.len(), "boards hold several items");
}

#[tokio::test]
async fn item_cursors_expire_after_an_hour_and_limits_are_bounded() {
    let org = org(60, 35);
    let b = org.boards.iter().find(|b| monday_sim::items::count(b) > 1).unwrap();
    let sim = start(org.clone()).await;
    let q = format!("{{ boards(ids: [{}], state: all) {{ items_page(limit: 1) {{ cursor }} }} }}", b.id);
    let a = gql(&sim, ADMIN, None, &q, json!({})).await;
    let cursor = a.body["data"]["boards"][0]["items_page"]["cursor"].as_str().unwrap().to_string();
    let next = format!("{{ next_items_page(cursor: \"{cursor}\") {{ items {{ id }} }} }}");
    sim.sim.clock().advance(std::time::Duration::from_secs(59 * 60));
    let a = gql(&sim, ADMIN, None, &next, json!({})).await;
    assert_eq!(a.body["errors"], json!(null), "valid for 60 minutes: {}", a.body);
    sim.sim.clock().advance(std::time::Duration::from_secs(2 * 60));
    let a = gql(&sim, ADMIN, None, &next, json!({})).await;
    assert_eq!(a.code(), "CursorExpiredError", "{}", a.body);
    let a = gql(&sim, ADMIN, None, "{ next_items_page(cursor: \"zz\") { cursor } }", json!({})).await;
    assert_eq!(a.code(), "InvalidCursorException", "{}", a.body);
    let q = format!("{{ boards(ids: [{}], state: all) {{ items_page(limit: 501) {{ cursor }} }} }}", b.id);
    let a = gql(&sim, ADMIN, None, &q, json!({})).await;
    assert_eq!(a.code(), "InvalidArgumentException", "{}", a.body);
}
