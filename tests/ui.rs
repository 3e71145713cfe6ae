//! trybuild UI tests of `#[nno_instrument]` and `#[nno_handler]`: every supported shape
//! compiles (`ui/pass`), every misuse fails with the checked-in message (`ui/fail/*.stderr`).
//!
//! Regenerate the `.stderr` files after an intended change with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
