//! Where a secret comes from: an environment variable or a file, never the configuration
//! itself. One resolver for every secret (API and SCIM tokens, webhook signing secrets, the
//! PostgreSQL URL), so each says the same things when it is missing: which variable or file,
//! for what, and what to do.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

/// A secret's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// An environment variable's name.
    Env(String),
    /// A file's path (relative paths were made relative to the configuration's folder).
    File(PathBuf),
}

impl Secret {
    /// The source named by a pair of `*_env` / `*_file` settings (the variable wins).
    pub fn from_settings(env: Option<&String>, file: Option<&PathBuf>) -> Option<Secret> {
        match (env, file) {
            (Some(var), _) => Some(Secret::Env(var.clone())),
            (None, Some(path)) => Some(Secret::File(path.clone())),
            (None, None) => None,
        }
    }

    /// Where it is, for messages: the variable's name or the file's path (never the secret).
    pub fn name(&self) -> String {
        match self {
            Secret::Env(var) => var.clone(),
            Secret::File(path) => path.display().to_string(),
        }
    }

    /// Reads it, trimmed. `what` names the secret and its setting (`account "acme": the API
    /// token (token_env)`), `how` says how to get one; an empty secret is an error too.
    pub fn read(&self, what: &str, how: &str) -> Result<String> {
        let text = match self {
            Secret::Env(var) => std::env::var(var)
                .with_context(|| format!("{what}: the environment variable {var} is not set: {how}"))?,
            Secret::File(path) => std::fs::read_to_string(path)
                .with_context(|| format!("{what}: cannot read the file {}: {how}", path.display()))?,
        };
        let text = text.trim().to_string();
        if text.is_empty() {
            bail!("{what}: it is empty: {how}");
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_resolver_says_where_and_what_to_do() {
        let missing = Secret::Env("ROSTER_TEST_SECRET_SURELY_UNSET".into());
        let e = format!("{:#}", missing.read("account \"acme\": the API token", "export it").unwrap_err());
        assert!(e.contains("ROSTER_TEST_SECRET_SURELY_UNSET") && e.contains("export it"), "{e}");
        let dir = std::env::temp_dir().join(format!("roster-secret-{}", std::process::id()));
        std::fs::write(&dir, "  s3cret\n").unwrap();
        assert_eq!(Secret::File(dir.clone()).read("x", "y").unwrap(), "s3cret");
        std::fs::write(&dir, " \n").unwrap();
        assert!(format!("{:#}", Secret::File(dir.clone()).read("x", "y").unwrap_err()).contains("empty"));
        let _ = std::fs::remove_file(&dir);
        assert_eq!(Secret::from_settings(None, None), None);
    }
}
