fn fetch_manifest(obs: Obs, platform_id: &str) -> usize {
    static __NNO_STEP: ::nno_obs::__private::StepSpec = ::nno_obs::__private::StepSpec::new(
        "fetch_manifest",
        ::core::option::Option::None,
        ::nno_obs::__private::Level::Debug,
        true,
    );
    let __nno_value0 = &(platform_id);
    let __nno_context = ::nno_obs::__private::keep(&obs);
    let __nno_step = ::nno_obs::__private::Step::begin(
        &__NNO_STEP,
        ::core::option::Option::Some(::nno_obs::__private::kept(&__nno_context)),
        &[
            ::nno_obs::Field {
                key: "platformId",
                value: ::nno_obs::__private::field(__nno_value0),
            },
        ],
    );
    #[allow(clippy::redundant_closure_call)]
    let __nno_result = (|| {
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
            let __nno_fake_return: usize = loop {};
            return __nno_fake_return;
        }
        obs.debug("reading", &[]);
        3
    })();
    {
        #[allow(unused_imports)]
        use ::nno_obs::__private::{NotAResult as _, StepResult as _};
        __nno_step
            .end(
                ::core::option::Option::Some(::nno_obs::__private::kept(&__nno_context)),
                (&__nno_result).nno_error(),
                &[
                    ::nno_obs::Field {
                        key: "platformId",
                        value: ::nno_obs::__private::field(__nno_value0),
                    },
                ],
            );
    }
    __nno_result
}
