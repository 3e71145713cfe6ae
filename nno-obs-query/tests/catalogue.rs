//! The question catalogue as data: what a request may say, and what it is refused for.

use nno_obs_query::catalogue::{Asker, Audience, CatalogueError, Param, QuestionName, Request};
use nno_obs_query::PlatformScope;
use nno_obs_store::layout::PlatformId;
use serde_json::json;

fn request(value: serde_json::Value) -> Result<Request, serde_json::Error> {
    serde_json::from_value(value)
}

fn platform() -> PlatformScope {
    nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap())
}

#[test]
fn every_question_is_named_on_the_wire_as_on_the_command_line() {
    for question in QuestionName::ALL {
        let parsed: QuestionName = serde_json::from_value(json!(question.name())).unwrap();
        assert_eq!(parsed, question);
        assert_eq!(
            serde_json::to_value(question).unwrap(),
            json!(question.name())
        );
    }
    assert!(serde_json::from_value::<QuestionName>(json!("Features")).is_err());
}

#[test]
fn a_request_says_nothing_it_does_not_mean() {
    // An unknown member, a platform id that is not one, a missing range: refused when read.
    assert!(request(json!({"question": "jobs", "fromS": 0, "untilS": 60, "limit": 5})).is_err());
    assert!(
        request(json!({"question": "fleet", "fromS": 0, "untilS": 60, "platforms": ["../x"]}))
            .is_err()
    );
    assert!(request(json!({"question": "jobs", "fromS": 0})).is_err());
    // A platform is never named in a platform question: its scope is the host's check.
    assert!(request(
        json!({"question": "features", "fromS": 0, "untilS": 60, "platformId": "k3m9p2xw7q"})
    )
    .is_err());
}

#[test]
fn a_question_is_asked_only_by_its_audience() {
    let operator = nno_obs_access::testing::operator();
    let scope = platform();
    for question in QuestionName::ALL {
        let request =
            request(json!({"question": question.name(), "fromS": 0, "untilS": 3600})).unwrap();
        let by_platform = request.build(Asker::Platform(&scope));
        let by_operator = request.build(Asker::Operator(&operator));
        let (platform_may, operator_may) = match question.audience() {
            Audience::Platform => (true, false),
            Audience::Operator => (false, true),
            Audience::Either => (true, true),
        };
        assert_eq!(by_platform.is_ok(), platform_may, "{question:?}");
        assert_eq!(by_operator.is_ok(), operator_may, "{question:?}");
        for refused in [by_platform, by_operator]
            .into_iter()
            .filter_map(Result::err)
        {
            assert!(
                matches!(refused, CatalogueError::Audience { question: q, .. } if q == question)
            );
        }
    }
}

#[test]
fn a_parameter_a_question_does_not_read_is_refused() {
    let operator = nno_obs_access::testing::operator();
    let scope = platform();
    let params = [
        ("feature", json!("auth"), Param::Feature),
        ("windowS", json!(600), Param::Window),
        ("bucketS", json!(600), Param::Bucket),
        ("jobId", json!("job-prov-0001"), Param::JobId),
        ("platforms", json!(["k3m9p2xw7q"]), Param::Platforms),
    ];
    for question in QuestionName::ALL {
        for (member, value, param) in &params {
            let mut body = json!({"question": question.name(), "fromS": 0, "untilS": 3600});
            body[*member] = value.clone();
            let request = request(body).unwrap();
            let asker = match question.audience() {
                Audience::Operator => Asker::Operator(&operator),
                _ => Asker::Platform(&scope),
            };
            let built = request.build(asker);
            if question.takes(*param) {
                assert!(built.is_ok(), "{question:?} {member}: {:?}", built.err());
            } else {
                assert_eq!(
                    built.err(),
                    Some(CatalogueError::DoesNotApply {
                        question,
                        param: *param
                    }),
                    "{question:?} {member}"
                );
            }
        }
    }
}

#[test]
fn bad_values_are_refused_with_the_questions_own_error() {
    let operator = nno_obs_access::testing::operator();
    let scope = platform();
    let cases = [
        (json!({"question": "jobs", "fromS": 60, "untilS": 60}), true),
        (
            json!({"question": "heatmap", "fromS": 0, "untilS": 3600, "bucketS": 420}),
            true,
        ),
        (
            json!({"question": "features", "fromS": 0, "untilS": 3600, "feature": "a\u{0}b"}),
            false,
        ),
        (
            json!({"question": "failed-jobs", "fromS": 0, "untilS": 3600, "jobId": "x".repeat(100_000)}),
            true,
        ),
    ];
    for (body, operator_asks) in cases {
        let request = request(body.clone()).unwrap();
        let asker = if operator_asks {
            Asker::Operator(&operator)
        } else {
            Asker::Platform(&scope)
        };
        let refused = request.build(asker).err();
        assert!(
            matches!(refused, Some(CatalogueError::Invalid(_))),
            "{body}: {refused:?}"
        );
    }
}
