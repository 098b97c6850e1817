//! invite_users, update_users_role, deactivate_users, activate_users, update_multiple_users.

use async_graphql::dynamic::{FieldValue, InputValue, Object, ObjectAccessor, TypeRef};

use super::results::{BatchResult, ItemError};
use super::{apply, check_batch, find_user, log, require_admin, user_positions};
use crate::audit::AuditKind;
use crate::model::{InvitationMethod, Org, User, UserKind, UserStatus};
use crate::schema::resolve::{app_error, id_list, opt_enum, root_mut, Res};
use crate::schema::{CtxCell, RequestCtx};

fn err(code: &'static str, key: impl ToString, message: impl Into<String>) -> ItemError {
    ItemError { message: message.into(), code, key: key.to_string() }
}

/// The ids of a user mutation. Too many are not a root error: monday.com's user mutations
/// answer with their result type, each id refused as `EXCEEDS_BATCH_LIMIT` (the code is one of
/// the result's error codes) [INF: one error per id].
fn required_ids(args: &ObjectAccessor, name: &str) -> Res<Vec<u64>> {
    Ok(id_list(args, name)?.unwrap_or_default())
}

fn over_batch_limit(ids: &[u64]) -> Option<Option<FieldValue<'static>>> {
    (ids.len() > super::BATCH_LIMIT).then(|| {
        let message = format!("A call may carry at most {} ids; got {}", super::BATCH_LIMIT, ids.len());
        let errors = ids.iter().map(|id| err("EXCEEDS_BATCH_LIMIT", id, message.clone())).collect();
        Some(FieldValue::owned_any(BatchResult { users: vec![], errors }))
    })
}

/// A plausible e-mail: one @, something before, a dot after, no spaces.
pub(crate) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
        && !domain.contains('@')
}

fn kind_of_role(role: &str) -> Option<UserKind> {
    match role {
        "ADMIN" => Some(UserKind::Admin),
        "MEMBER" => Some(UserKind::Member),
        "VIEW_ONLY" => Some(UserKind::Viewer),
        "GUEST" => Some(UserKind::Guest),
        _ => None,
    }
}

/// Runs a per-user change over `ids`: unknown users, the caller and refused users become
/// per-item errors; the rest are changed.
fn per_user(
    cell: &CtxCell,
    c: &RequestCtx,
    ids: Vec<u64>,
    logged: Option<AuditKind>,
    change: impl Fn(&mut User) -> Result<(), (&'static str, String)>,
) -> Res<Option<FieldValue<'static>>> {
    require_admin(c)?;
    if let Some(refused) = over_batch_limit(&ids) {
        return Ok(refused);
    }
    let me = c.viewer().id;
    let (done, errors) = apply(cell, c, |org: &mut Org| {
        let mut done = Vec::new();
        let mut errors = Vec::new();
        for id in ids {
            if id == me {
                errors.push(err("CANNOT_UPDATE_SELF", id, "You cannot change your own account this way"));
                continue;
            }
            match org.users.iter_mut().find(|u| u.id == id) {
                None => errors.push(err("USER_NOT_FOUND", id, format!("User {id} not found"))),
                Some(u) => match change(u) {
                    Ok(()) => done.push(id),
                    Err((code, message)) => errors.push(err(code, id, message)),
                },
            }
        }
        if let Some(event) = logged {
            for id in &done {
                let role =
                    find_user(org, *id).map(|u| u.role_id.map_or(u.kind.as_str().to_string(), |r| r.to_string()));
                let metadata = match event {
                    AuditKind::UserRoleChange => serde_json::json!({ "user_id": id.to_string(), "new_role": role }),
                    _ => serde_json::json!({ "user_id": id.to_string() }),
                };
                log(org, c, event, metadata);
            }
        }
        Ok((done, errors))
    })?;
    Ok(Some(FieldValue::owned_any(BatchResult { users: user_positions(cell, &done), errors })))
}

/// Adds the user mutations to the root.
pub fn fields(root: Object) -> Object {
    root.field(
        root_mut("invite_users", TypeRef::named("InviteUsersResult"), |cell, c, args| {
            require_admin(c)?;
            let emails: Vec<String> = match args.get("emails") {
                Some(v) => v.list()?.iter().map(|e| e.string().map(|s| s.trim().to_string())).collect::<Res<_>>()?,
                None => vec![],
            };
            check_batch(emails.len())?;
            let kind = match opt_enum(args, "user_role")? {
                Some(r) => kind_of_role(&r)
                    .ok_or_else(|| app_error("InvalidArgumentException", 400, format!("Unknown role {r}")))?,
                None => UserKind::Member,
            };
            let (invited, errors) = apply(cell, c, |org| {
                let mut invited = Vec::new();
                let mut errors = Vec::new();
                let mut next = org.users.iter().map(|u| u.id).max().unwrap_or(40_000_000) + 7;
                for email in emails {
                    if !valid_email(&email) {
                        errors.push(err("ERROR", &email, format!("{email:?} is not a valid email address")));
                        continue;
                    }
                    if org.users.iter().any(|u| u.email.eq_ignore_ascii_case(&email)) {
                        errors.push(err("ERROR", &email, format!("{email} is already a user of this account")));
                        continue;
                    }
                    let now = chrono::Utc::now();
                    org.users.push(User {
                        id: next,
                        name: email.split('@').next().unwrap_or(&email).to_string(),
                        email: email.to_lowercase(),
                        title: String::new(),
                        kind,
                        status: UserStatus::Pending,
                        is_email_confirmed: false,
                        created_at: now,
                        became_active_at: None,
                        last_activity: None,
                        time_zone_identifier: None,
                        utc_hours_diff: None,
                        invitation_method: InvitationMethod::User,
                        birthday: None,
                        country_code: None,
                        location: None,
                        phone: None,
                        mobile_phone: None,
                        current_language: None,
                        has_photo: false,
                        external_id: None,
                        role_id: None,
                        scim_attributes: Default::default(),
                    });
                    log(
                        org,
                        c,
                        AuditKind::UserInvite,
                        serde_json::json!({ "email": email.to_lowercase(), "user_kind": kind.as_str() }),
                    );
                    invited.push(next);
                    next += 7;
                }
                Ok((invited, errors))
            })?;
            Ok(Some(FieldValue::owned_any(BatchResult { users: user_positions(cell, &invited), errors })))
        })
        .argument(InputValue::new("emails", TypeRef::named_nn_list_nn(TypeRef::STRING)))
        .argument(InputValue::new("user_role", TypeRef::named("UserRole")))
        .argument(InputValue::new("product", TypeRef::named("Product"))),
    )
    .field(
        root_mut("update_users_role", TypeRef::named("UpdateUsersRoleResult"), |cell, c, args| {
            let ids = required_ids(args, "user_ids")?;
            let role = opt_enum(args, "new_role")?;
            let role_id = id_list(args, "role_id")?.unwrap_or_default();
            // The role asked for: a basic one by name or id, or a custom one by id (its user
            // kind is the role's base). Both arguments at once, or neither, is refused [INF].
            let (kind, custom) = match (role.as_deref(), role_id.as_slice()) {
                (Some(name), []) => (
                    kind_of_role(name).ok_or_else(|| app_error("InvalidArgumentException", 400, "Unknown role"))?,
                    None,
                ),
                (None, [id]) => match c.world.custom_roles().iter().find(|r| r.id == *id) {
                    Some(r) => (r.base, Some(r.id)),
                    None => (
                        [UserKind::Admin, UserKind::Member, UserKind::Viewer, UserKind::Guest]
                            .into_iter()
                            .find(|k| k.basic_role().0 == *id)
                            .ok_or_else(|| {
                                app_error(
                                    "InvalidArgumentException",
                                    400,
                                    format!("Role {id} does not exist in this account"),
                                )
                            })?,
                        None,
                    ),
                },
                _ => {
                    return Err(app_error(
                        "InvalidArgumentException",
                        400,
                        "Pass exactly one of new_role (a basic role) or role_id (any role of account_roles)",
                    ))
                }
            };
            per_user(cell, c, ids, Some(AuditKind::UserRoleChange), |u| {
                if u.status == UserStatus::Inactive {
                    return Err(("FAILED", format!("User {} is deactivated; activate them first", u.id)));
                }
                u.kind = kind;
                u.role_id = custom;
                Ok(())
            })
        })
        .argument(InputValue::new("user_ids", TypeRef::named_nn_list_nn(TypeRef::ID)))
        .argument(InputValue::new("new_role", TypeRef::named("BaseRoleName")))
        .argument(InputValue::new("role_id", TypeRef::named(TypeRef::ID))),
    )
    .field(
        root_mut("deactivate_users", TypeRef::named("DeactivateUsersResult"), |cell, c, args| {
            let ids = required_ids(args, "user_ids")?;
            per_user(cell, c, ids, Some(AuditKind::UserDeactivated), |u| match u.status {
                UserStatus::Pending => Err((
                    "FAILED",
                    format!("User {} has not accepted the invitation; pending users cannot be deactivated", u.id),
                )),
                _ => {
                    u.status = UserStatus::Inactive;
                    Ok(())
                }
            })
        })
        .argument(InputValue::new("user_ids", TypeRef::named_nn_list_nn(TypeRef::ID))),
    )
    .field(
        root_mut("activate_users", TypeRef::named("ActivateUsersResult"), |cell, c, args| {
            let ids = required_ids(args, "user_ids")?;
            per_user(cell, c, ids, Some(AuditKind::UserReactivated), |u| match u.status {
                UserStatus::Pending => Err((
                    "FAILED",
                    format!("User {} has not accepted the invitation; pending users cannot be activated", u.id),
                )),
                _ => {
                    u.status = UserStatus::Active;
                    Ok(())
                }
            })
        })
        .argument(InputValue::new("user_ids", TypeRef::named_nn_list_nn(TypeRef::ID))),
    )
    .field(
        root_mut("update_multiple_users", TypeRef::named("UpdateUserAttributesResult"), |cell, c, args| {
            require_admin(c)?;
            let updates = args.try_get("user_updates")?.list()?;
            check_batch(updates.len())?;
            let mut parsed = Vec::new();
            for u in updates.iter() {
                let o = u.object()?;
                let id = id_list(&o, "user_id")?
                    .and_then(|v| v.first().copied())
                    .ok_or_else(|| app_error("InvalidArgumentException", 400, "user_id is required"))?;
                let attrs = o.try_get("user_attribute_updates")?.object()?;
                let mut fields = Vec::new();
                for (k, v) in attrs.iter() {
                    fields.push((k.to_string(), if v.is_null() { None } else { Some(v.string()?.to_string()) }));
                }
                parsed.push((id, fields));
            }
            let (done, errors) = apply(cell, c, |org| {
                let mut done = Vec::new();
                let mut errors = Vec::new();
                for (id, fields) in parsed {
                    if find_user(org, id).is_none() {
                        errors.push(err("INVALID_FIELD", id, format!("User {id} not found")));
                        continue;
                    }
                    let mut bad = None;
                    for (k, v) in &fields {
                        if k == "email" {
                            let e = v.clone().unwrap_or_default();
                            if !valid_email(&e) {
                                bad = Some(format!("{e:?} is not a valid email address"));
                            } else if org.users.iter().any(|o| o.id != id && o.email.eq_ignore_ascii_case(&e)) {
                                bad = Some(format!("{e} is already used by another user"));
                            }
                        }
                    }
                    if let Some(m) = bad {
                        errors.push(err("INVALID_FIELD", id, m));
                        continue;
                    }
                    let Some(u) = org.users.iter_mut().find(|u| u.id == id) else { continue };
                    for (k, v) in fields {
                        match k.as_str() {
                            "name" => u.name = v.unwrap_or_default(),
                            "title" => u.title = v.unwrap_or_default(),
                            "email" => u.email = v.unwrap_or_default(),
                            "phone" => u.phone = v,
                            "mobile_phone" => u.mobile_phone = v,
                            "location" => u.location = v,
                            "birthday" => u.birthday = v,
                            // department and join_date are not modelled [INF].
                            _ => {}
                        }
                    }
                    done.push(id);
                }
                Ok((done, errors))
            })?;
            Ok(Some(FieldValue::owned_any(BatchResult { users: user_positions(cell, &done), errors })))
        })
        .argument(InputValue::new("user_updates", TypeRef::named_nn_list_nn("UserUpdateInput")))
        .argument(InputValue::new("bypass_confirmation_for_claimed_domains", TypeRef::named(TypeRef::BOOLEAN)))
        .argument(InputValue::new("use_async_mode", TypeRef::named(TypeRef::BOOLEAN))),
    )
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn emails() {
        assert!(valid_email("zoe.o'brien+x@acme-example.com"));
        for bad in ["", "x", "@a.b", "a@b", "a@.b", "a b@c.d", "a@b@c.d"] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
