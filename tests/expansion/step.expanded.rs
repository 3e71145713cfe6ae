async fn create_d1(obs: &Obs, job_id: &str, items: &[u8]) -> Result<u32, StepError> {
    static __NNO_STEP: ::nno_obs::__private::StepSpec = ::nno_obs::__private::StepSpec::new(
        "create-d1",
        ::core::option::Option::Some("provisioning"),
        ::nno_obs::__private::Level::Info,
        true,
    );
    let __nno_value0 = &(job_id);
    let __nno_value1 = &(items.len());
    let __nno_step = ::nno_obs::__private::Step::begin_span(
        &__NNO_STEP,
        ::nno_obs::__private::context(&obs),
        &[
            ::nno_obs::Field {
                key: "jobId",
                value: ::nno_obs::__private::field(__nno_value0),
            },
            ::nno_obs::Field {
                key: "count",
                value: ::nno_obs::__private::field(__nno_value1),
            },
        ],
    );
    #[allow(unused_variables, clippy::shadow_unrelated)]
    let obs = ::nno_obs::__private::shadow(
        &obs,
        __nno_step.obs(::nno_obs::__private::context(&obs)),
    );
    #[allow(clippy::redundant_closure_call)]
    let __nno_result = async {
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::let_unit_value,
            clippy::unreachable,
            clippy::let_with_type_underscore,
            clippy::empty_loop
        )]
        if false {
            let __nno_fake_return: Result<u32, StepError> = loop {};
            return __nno_fake_return;
        }
        obs.info("creating database", &[]);
        let id = cloudflare::create_database(job_id).await?;
        Ok(id)
    }
        .await;
    {
        #[allow(unused_imports)]
        use ::nno_obs::__private::{NotAResult as _, StepResult as _};
        __nno_step
            .end(
                ::core::option::Option::None,
                (&__nno_result).nno_error(),
                &[
                    ::nno_obs::Field {
                        key: "jobId",
                        value: ::nno_obs::__private::field(__nno_value0),
                    },
                    ::nno_obs::Field {
                        key: "count",
                        value: ::nno_obs::__private::field(__nno_value1),
                    },
                ],
            );
    }
    __nno_result
}
