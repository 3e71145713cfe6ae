#[nno_instrument(span, fields(job_id))]
fn provision<'life0, 'life1, 'life2, 'async_trait>(
    &'life0 self,
    obs: &'life1 Obs,
    job_id: &'life2 str,
) -> ::core::pin::Pin<Box<dyn ::core::future::Future<Output = Result<u32, StepError>> + ::core::marker::Send + 'async_trait>>
where
    'life0: 'async_trait,
    'life1: 'async_trait,
    'life2: 'async_trait,
    Self: 'async_trait,
{
    Box::pin(async move {
        if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<Result<u32, StepError>> {
            #[allow(unreachable_code)]
            return __ret;
        }
        let __self = self;
        let __ret: Result<u32, StepError> = {
            __self.api.call(obs, job_id).await
        };
        #[allow(unreachable_code)]
        __ret
    })
}
