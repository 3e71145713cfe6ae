fn provision<'life0, 'life1, 'life2, 'async_trait>(
    &'life0 self,
    obs: &'life1 Obs,
    job_id: &'life2 str,
) -> ::core::pin::Pin<
    Box<
        dyn ::core::future::Future<
            Output = Result<u32, StepError>,
        > + ::core::marker::Send + 'async_trait,
    >,
>
where
    'life0: 'async_trait,
    'life1: 'async_trait,
    'life2: 'async_trait,
    Self: 'async_trait,
{
    ::std::boxed::Box::pin(async move {
        static __NNO_STEP: ::nno_obs::__private::StepSpec = ::nno_obs::__private::StepSpec::new(
            "provision",
            ::core::option::Option::None,
            ::nno_obs::__private::Level::Info,
            true,
        );
        let __nno_value0 = &(job_id);
        let __nno_step = ::nno_obs::__private::Step::begin_span(
            &__NNO_STEP,
            ::nno_obs::__private::context(&obs),
            &[
                ::nno_obs::Field {
                    key: "jobId",
                    value: ::nno_obs::__private::field(__nno_value0),
                },
            ],
        );
        #[allow(unused_variables, clippy::shadow_unrelated)]
        let obs = ::nno_obs::__private::shadow(
            &obs,
            __nno_step.obs(::nno_obs::__private::context(&obs)),
        );
        let __nno_result = async {
            if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<
                Result<u32, StepError>,
            > {
                #[allow(unreachable_code)] return __ret;
            }
            let __self = self;
            let __ret: Result<u32, StepError> = { __self.api.call(obs, job_id).await };
            #[allow(unreachable_code)] __ret
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
                    ],
                );
        }
        __nno_result
    })
}
