//! The emulator's shared state: the world, one schema per version, limits, faults, clock, stats.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_graphql::dynamic::Schema;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::complexity::CostModel;
use crate::faults::{FaultConfig, FaultConfigError, Faults};
use crate::limits::{Limiter, LimitsConfig};
use crate::model::{Org, OrgError, World};
use crate::version::ApiVersion;

/// How the emulator behaves (everything but the data).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Rate and complexity limits in force.
    pub limits: LimitsConfig,
    /// Faults to inject.
    pub faults: FaultConfig,
    /// Start with a clock that only moves when told to (`/_sim/clock`).
    pub frozen_clock: bool,
    /// Accept SCIM `userName`s that are not e-mail addresses. monday.com requires e-mails;
    /// this exists for the RFC referee, which sends random strings.
    #[serde(default)]
    pub scim_any_user_name: bool,
}

/// Why the emulator cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid org: {0}")]
    /// The org is inconsistent.
    Org(#[from] OrgError),
    #[error("invalid fault configuration: {0}")]
    /// A fault setting is out of range.
    Faults(#[from] FaultConfigError),
    #[error("could not build the GraphQL schema for {version}: {message}")]
    /// The GraphQL schema could not be built.
    Schema {
        /// The API version.
        version: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// Counters served at `/_sim/stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests that reached `/v2`.
    pub requests: u64,
    /// Responses by HTTP status (dropped connections count as status 0).
    pub by_status: BTreeMap<u16, u64>,
    /// Complexity points charged.
    pub complexity: u64,
    /// Queries answered with data, per root field name.
    pub root_fields: BTreeMap<String, u64>,
    /// Complexity points charged, per query's first root field other than `complexity`.
    pub complexity_by_root: BTreeMap<String, u64>,
}

pub(crate) struct VersionSchema {
    pub schema: Schema,
    pub cost: CostModel,
}

/// The state every request reads and mutations replace.
pub type SharedWorld = Arc<RwLock<Arc<World>>>;

/// One running emulator.
pub struct Sim {
    world: SharedWorld,
    pub(crate) schemas: Vec<(ApiVersion, VersionSchema)>,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) faults: Faults,
    pub(crate) clock: Clock,
    pub(crate) stats: Mutex<Stats>,
    request_seq: AtomicU64,
    pub(crate) scim_any_user_name: bool,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim").field("users", &self.world().users().len()).finish_non_exhaustive()
    }
}

impl Sim {
    /// Validates `org` and `config` and builds the schemas.
    pub fn new(org: Org, config: SimConfig) -> Result<Sim, SimError> {
        config.faults.validate()?;
        let world = World::new(org)?;
        let mut schemas = Vec::new();
        for v in ApiVersion::ALL {
            let schema = crate::schema::build(v)
                .map_err(|e| SimError::Schema { version: v.as_str(), message: e.to_string() })?;
            let cost = CostModel::from_registry(schema.registry());
            schemas.push((v, VersionSchema { schema, cost }));
        }
        let clock = Clock::new();
        clock.set_frozen(config.frozen_clock);
        Ok(Sim {
            world: Arc::new(RwLock::new(Arc::new(world))),
            schemas,
            limiter: Arc::new(Limiter::new(config.limits, 0)),
            faults: Faults::new(config.faults),
            clock,
            stats: Mutex::new(Stats::default()),
            request_seq: AtomicU64::new(0),
            scim_any_user_name: config.scim_any_user_name,
        })
    }

    /// The complexity points monday-sim charges `query` with `variables` in API `version`
    /// (what a benchmark prices a read it did not send by; a mutation includes its flat
    /// charge). The parser's message when the query does not parse.
    pub fn query_cost(&self, version: ApiVersion, query: &str, variables: serde_json::Value) -> Result<u64, String> {
        let doc = async_graphql::parser::parse_query(query).map_err(|e| e.to_string())?;
        let vars = async_graphql::Variables::from_json(variables);
        let (_, schema) = self
            .schemas
            .iter()
            .find(|(v, _)| *v == version)
            .ok_or_else(|| format!("no schema {}", version.as_str()))?;
        Ok(schema.cost.cost(&doc, None, &vars))
    }

    /// The state now (cheap: shares the data).
    pub fn world(&self) -> Arc<World> {
        Arc::clone(&self.world.read())
    }

    /// The shared state handle (for mutations).
    pub(crate) fn shared(&self) -> SharedWorld {
        Arc::clone(&self.world)
    }

    /// Replaces the whole state with a validated `org`.
    pub fn replace(&self, org: Org) -> Result<(), OrgError> {
        let world = World::new(org)?;
        *self.world.write() = Arc::new(world);
        Ok(())
    }

    /// The schema of `version`.
    pub(crate) fn schema(&self, version: ApiVersion) -> &VersionSchema {
        // Every version in ApiVersion::ALL is built in `new`.
        &self.schemas.iter().find(|(v, _)| *v == version).unwrap_or(&self.schemas[0]).1
    }

    /// The SDL of `version`'s schema.
    pub fn sdl(&self, version: ApiVersion) -> String {
        self.schema(version).schema.sdl()
    }

    /// A fresh request id.
    pub(crate) fn request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("sim-{n:012x}")
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.stats.lock().clone()
    }

    /// The limiter.
    pub fn limiter(&self) -> &Limiter {
        &self.limiter
    }

    /// The fault injector.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}
