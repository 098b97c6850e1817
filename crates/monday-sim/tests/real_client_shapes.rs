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
