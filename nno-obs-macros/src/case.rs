//! Name checks and conversions.

/// `job_id` → `jobId`; `r#type` → `type`; leading underscores are dropped.
pub(crate) fn camel_case(name: &str) -> String {
    let name = name.strip_prefix("r#").unwrap_or(name);
    let mut out = String::with_capacity(name.len());
    let mut upper_next = false;
    for ch in name.chars() {
        if ch == '_' {
            upper_next = !out.is_empty();
        } else if upper_next {
            out.extend(ch.to_uppercase());
            upper_next = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// Lowercase kebab-case: `provisioning`, `stack-registry`, `d1-api`.
pub(crate) fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && name.as_bytes()[0].is_ascii_lowercase()
}

/// A kebab-case spelling of `name`, for suggestions.
pub(crate) fn to_kebab_case(name: &str) -> String {
    let mut out = String::new();
    for (at, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() && at > 0 && !out.ends_with('-') {
            out.push('-');
        }
        if ch == '_' || ch == ' ' || ch == '.' {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(ch.to_lowercase());
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_of_parameters() {
        assert_eq!(camel_case("job_id"), "jobId");
        assert_eq!(camel_case("platform_id"), "platformId");
        assert_eq!(camel_case("count"), "count");
        assert_eq!(camel_case("_private_key"), "privateKey");
        assert_eq!(camel_case("r#type"), "type");
        assert_eq!(camel_case("duration_ms"), "durationMs");
        assert_eq!(camel_case("trace_id"), "traceId");
    }

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("provisioning"));
        assert!(is_kebab_case("stack-registry"));
        assert!(is_kebab_case("d1"));
        assert!(!is_kebab_case("Provisioning"));
        assert!(!is_kebab_case("stack_registry"));
        assert!(!is_kebab_case("-x"));
        assert!(!is_kebab_case("x-"));
        assert!(!is_kebab_case("a--b"));
        assert!(!is_kebab_case("1x"));
        assert!(!is_kebab_case(""));
        assert_eq!(to_kebab_case("StackRegistry"), "stack-registry");
        assert_eq!(to_kebab_case("stack_registry"), "stack-registry");
    }
}
