//! The simulated fleet: NNO's core services, and per platform an auth Worker and feature
//! Workers, named as seed §2.4 names them.

use crate::rng::SimRng;
use nno_obs_store::layout::ScriptName;

/// The environment every simulated Worker runs in.
pub const ENV: &str = "prod";

/// The feature Workers every platform runs (each is an `#[nno_handler]` in
/// [`crate::workers::platform`]).
pub const FEATURES: [&str; 3] = ["analytics", "reports", "exports"];

/// Company names for the platforms' `name` (alert messages, §6.3).
const NAMES: [&str; 20] = [
    "AcmeCorp",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vehement",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Aperture",
    "BlackMesa",
    "Oscorp",
    "Gringotts",
    "Monarch",
    "Nakatomi",
    "Zorg",
    "Dunder",
];

/// Platforms from this index on are small (a few logins a minute by day, a handful an hour
/// at night): the fleet's long tail, whose quiet hours must not page.
pub const SMALL_FROM: usize = 16;

/// One tenant platform.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Platform {
    /// The platform id (`k3m9p2xw7q` for the first, as in the seed).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The tenant entity its Workers serve.
    pub entity_id: String,
    /// Invocations per day its tier allows (usage alerts compare with it).
    pub daily_invocation_limit: u64,
    /// Its traffic relative to the fleet's mean.
    pub traffic_weight: f64,
}

impl Platform {
    /// The script name of one of its Workers (`auth` or a feature).
    pub fn script(&self, worker: &str) -> ScriptName {
        let name = format!("{}-{}-{worker}-{ENV}", self.id, self.entity_id);
        // Ids are made of [a-z0-9] and the workers are fixed names: always valid.
        ScriptName::parse(&name).unwrap_or_else(|_| core_script("invalid"))
    }
}

/// The script name of a core service, `nno-{service}-prod`.
pub fn core_script(service: &str) -> ScriptName {
    let name = format!("nno-{service}-{ENV}");
    match ScriptName::parse(&name) {
        Ok(script) => script,
        // Only reached for a service name that is not kebab-case, which the fleet never has.
        Err(_) => ScriptName::parse("nno-unknown-prod").unwrap_or_else(|_| unreachable!()),
    }
}

/// The fleet of `count` platforms for `seed`.
pub fn platforms(count: usize, seed: u64) -> Vec<Platform> {
    let mut rng = SimRng::new(seed, 1);
    (0..count)
        .map(|at| {
            let (id, entity_id) = if at == 0 {
                ("k3m9p2xw7q".to_owned(), "r8n4t6y1z5".to_owned())
            } else {
                (rng.id(10), rng.id(10))
            };
            let name = match NAMES.get(at) {
                Some(name) => (*name).to_owned(),
                None => format!("{}{}", NAMES[at % NAMES.len()], at / NAMES.len()),
            };
            Platform {
                id,
                name,
                entity_id,
                daily_invocation_limit: 1_000_000,
                traffic_weight: if at >= SMALL_FROM {
                    0.04 * (0.7 + 0.8 * rng.unit())
                } else {
                    0.7 + 0.8 * rng.unit()
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_platform_is_the_seeds_and_names_follow_section_2_4() {
        let fleet = platforms(3, 42);
        assert_eq!(fleet[0].id, "k3m9p2xw7q");
        assert_eq!(
            fleet[0].script("analytics").as_str(),
            "k3m9p2xw7q-r8n4t6y1z5-analytics-prod"
        );
        assert_eq!(core_script("gateway").as_str(), "nno-gateway-prod");
        assert_eq!(platforms(3, 42), fleet);
        assert_ne!(platforms(3, 43)[1], fleet[1]);
    }
}
