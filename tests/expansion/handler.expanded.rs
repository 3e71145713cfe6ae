async fn get_data(
    req: http::Request<String>,
) -> Result<http::Response<String>, ApiError> {
    static __NNO_HANDLER: ::nno_obs::__private::HandlerSpec = ::nno_obs::__private::HandlerSpec::new(
        "analytics",
        ::core::option::Option::Some("analytics"),
        ::core::option::Option::Some(
            ::nno_obs::__private::Routes::Fixed("/api/data/:id"),
        ),
    );
    let __nno_handler = ::nno_obs::__private::Handler::begin(
            &__NNO_HANDLER,
            ::nno_obs::__private::native_telemetry(&req),
            &req,
        )
        .request_line();
    let obs: Obs = ::nno_obs::__private::shadow_as::<Obs>(__nno_handler.obs());
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
            let __nno_fake_return: Result<http::Response<String>, ApiError> = loop {};
            return __nno_fake_return;
        }
        obs.info(
            "report built",
            fields! {
                rows : 42
            },
        );
        Ok(http::Response::new(req.into_body()))
    }
        .await;
    __nno_handler.end(__nno_result)
}
