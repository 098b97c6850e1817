//! Writes every GraphQL document the client can send, per API version, to
//! `target/graphql/client/<version>/`, where the test script validates them with graphql-js
//! against monday.com's published schema of that version.

use std::path::PathBuf;

use monday_api::queries::documents;
use monday_api::ApiVersion;

#[test]
fn write_every_document_per_version() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/graphql/client");
    for version in ApiVersion::ALL {
        let dir = root.join(version.as_str());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let docs = documents(version);
        assert!(
            docs.len() >= 20,
            "8 queries (account, users, teams, team ids, workspaces, members, boards, board teams) and 12 mutations"
        );
        for (name, text) in docs {
            let named = text.contains(&format!("query {name}")) || text.contains(&format!("mutation {name}"));
            assert!(named, "{name} is the operation's name");
            assert!(text.contains("complexity { before query after reset_in_x_seconds }"), "{name} asks for its cost");
            std::fs::write(dir.join(format!("{name}.graphql")), text).unwrap();
        }
    }
    let legacy = documents(ApiVersion::V2026_07).iter().any(|(n, _)| *n == "UsersLegacy");
    let current = documents(ApiVersion::V2026_10).iter().any(|(n, _)| *n == "UsersLegacy");
    assert!(legacy && !current, "the legacy user shape is sent only to 2026-07");
}
