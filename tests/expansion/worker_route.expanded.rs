async fn create_job(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    static __NNO_HANDLER: ::nno_obs::__private::HandlerSpec = ::nno_obs::__private::HandlerSpec::new(
        "analytics",
        ::core::option::Option::None,
        ::core::option::Option::Some(::nno_obs::__private::Routes::Fixed("/api/jobs")),
    );
    let __nno_handler = ::nno_obs::__private::Handler::begin(
            &__NNO_HANDLER,
            ::nno_obs::__private::route_telemetry(&ctx),
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
            let __nno_fake_return: Result<Response> = loop {};
            return __nno_fake_return;
        }
        provision_step(&obs, "job-1").await?;
        Response::ok("created")
    }
        .await;
    __nno_handler.end(__nno_result)
}
