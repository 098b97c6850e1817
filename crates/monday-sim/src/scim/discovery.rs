//! `/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes` (RFC 7643 §5–7): what this SCIM
//! server supports. The schemas list the attributes monday.com keeps [3P: IdP mapping tables;
//! INF: the exact list], and drive what clients (and the referee) send.

use serde_json::{json, Value};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Largest page (`count`) served [?: scripts use 500].
pub const MAX_COUNT: usize = 500;

#[allow(clippy::too_many_arguments)] // one argument per RFC 7643 attribute characteristic
fn attr(
    name: &str,
    ty: &str,
    multi: bool,
    required: bool,
    mutability: &str,
    returned: &str,
    uniqueness: &str,
    sub: Vec<Value>,
) -> Value {
    let mut a = json!({
        "name": name, "type": ty, "multiValued": multi, "description": name, "required": required,
        "caseExact": false, "mutability": mutability, "returned": returned, "uniqueness": uniqueness,
    });
    if !sub.is_empty() {
        a["subAttributes"] = Value::Array(sub);
    }
    a
}

fn s(name: &str) -> Value {
    attr(name, "string", false, false, "readWrite", "default", "none", vec![])
}

fn b(name: &str) -> Value {
    attr(name, "boolean", false, false, "readWrite", "default", "none", vec![])
}

fn multi(name: &str) -> Value {
    attr(name, "complex", true, false, "readWrite", "default", "none", vec![s("value"), s("type"), b("primary")])
}

fn user_ref() -> Value {
    let mut r = attr("$ref", "reference", false, false, "immutable", "default", "none", vec![]);
    // Team members are users; teams do not nest.
    r["referenceTypes"] = json!(["User"]);
    r
}

fn meta(id: &str, kind: &str, base: &str) -> Value {
    json!({ "resourceType": kind, "location": format!("{base}/{kind}s/{id}") })
}

/// The User schema.
pub fn user_schema(base: &str) -> Value {
    let mut user_type = s("userType");
    user_type["canonicalValues"] = json!(["admin", "member", "viewer", "guest"]);
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER, "name": "User", "description": "A monday.com user",
        "attributes": [
            attr("userName", "string", false, true, "readWrite", "default", "server", vec![]),
            attr("name", "complex", false, false, "readWrite", "default", "none", vec![s("formatted"), s("familyName"), s("givenName")]),
            s("displayName"),
            s("title"),
            user_type,
            s("locale"),
            s("timezone"),
            b("active"),
            multi("emails"),
            multi("phoneNumbers"),
            attr("addresses", "complex", true, false, "readWrite", "default", "none", vec![
                s("type"), s("streetAddress"), s("locality"), s("region"), s("postalCode"), s("country"), s("formatted"), b("primary"),
            ]),
            attr("groups", "complex", true, false, "readOnly", "default", "none", vec![
                attr("value", "string", false, false, "readOnly", "default", "none", vec![]),
                attr("display", "string", false, false, "readOnly", "default", "none", vec![]),
            ]),
        ],
        "meta": meta(USER, "Schema", base),
    })
}

/// The Group schema (a monday.com team).
pub fn group_schema(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": GROUP, "name": "Group", "description": "A monday.com team",
        "attributes": [
            attr("displayName", "string", false, true, "readWrite", "default", "none", vec![]),
            attr("members", "complex", true, false, "readWrite", "default", "none", vec![
                attr("value", "string", false, false, "immutable", "default", "none", vec![]),
                user_ref(),
                attr("display", "string", false, false, "readOnly", "default", "none", vec![]),
            ]),
            attr("internalId", "string", false, false, "readOnly", "default", "none", vec![]),
        ],
        "meta": meta(GROUP, "Schema", base),
    })
}

/// The two resource types.
pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User", "endpoint": "/Users",
               "description": "monday.com users", "schema": USER, "schemaExtensions": [], "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}}),
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group", "endpoint": "/Groups",
               "description": "monday.com teams", "schema": GROUP, "schemaExtensions": [], "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}}),
    ]
}

/// `/ServiceProviderConfig`.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://support.monday.com/hc/en-us/articles/360000303939",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token", "description": "The SCIM token from Admin > Security > SCIM", "primary": true}],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    })
}
