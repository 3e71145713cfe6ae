//! SigV4 against AWS's published examples, byte for byte: the four S3 examples of "Signature
//! Calculations for the Authorization Header: Transferring Payload in a Single Chunk" (S3 API
//! reference: their canonical request, string to sign and `Authorization` header) and one case
//! of AWS's SigV4 test suite (`get-vanilla-query-order-key-case`, query parameters sorted).

use nno_obs_cloudflare::s3::sigv4::{
    authorization, canonical_query, canonical_request, payload_hash, string_to_sign, uri_encode,
    Credentials, SignedRequest, EMPTY_SHA256,
};
use nno_obs_cloudflare::Secret;

const DATE: &str = "20130524T000000Z";
const HOST: &str = "examplebucket.s3.amazonaws.com";

fn s3_example_key() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    )
}

/// Checks the canonical request, the hash in the string to sign and the header.
fn check(request: &SignedRequest<'_>, canonical: &str, to_sign_hash: &str, header: &str) {
    assert_eq!(canonical_request(request), canonical);
    let to_sign = string_to_sign(DATE, "us-east-1", "s3", canonical);
    assert_eq!(
        to_sign,
        format!("AWS4-HMAC-SHA256\n{DATE}\n20130524/us-east-1/s3/aws4_request\n{to_sign_hash}")
    );
    assert_eq!(
        authorization(&s3_example_key(), "us-east-1", "s3", DATE, request),
        header
    );
}

#[test]
fn get_object_with_a_range() {
    check(
        &SignedRequest {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &[
                ("Host", HOST),
                ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", DATE),
            ],
            payload_hash: EMPTY_SHA256,
        },
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
         x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
         Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
}

#[test]
fn put_object_signs_its_payload() {
    let body = b"Welcome to Amazon S3.";
    let hash = payload_hash(body);
    assert_eq!(
        hash,
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    );
    let path = format!("/{}", uri_encode("test$file.text", true));
    check(
        &SignedRequest {
            method: "PUT",
            path: &path,
            query: "",
            headers: &[
                ("Host", HOST),
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-date", DATE),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", &hash),
            ],
            payload_hash: &hash,
        },
        "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n\
         host:examplebucket.s3.amazonaws.com\n\
         x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n\
         x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n\
         date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n\
         44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,\
         Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    );
}

#[test]
fn get_bucket_lifecycle_a_parameter_without_value() {
    check(
        &SignedRequest {
            method: "GET",
            path: "/",
            query: &canonical_query(&[("lifecycle", "")]),
            headers: &[
                ("Host", HOST),
                ("x-amz-date", DATE),
                ("x-amz-content-sha256", EMPTY_SHA256),
            ],
            payload_hash: EMPTY_SHA256,
        },
        "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n\
         x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=host;x-amz-content-sha256;x-amz-date,\
         Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    );
}

#[test]
fn list_objects_with_sorted_parameters() {
    check(
        &SignedRequest {
            method: "GET",
            path: "/",
            // Given out of order: the canonical form sorts them.
            query: &canonical_query(&[("prefix", "J"), ("max-keys", "2")]),
            headers: &[
                ("Host", HOST),
                ("x-amz-date", DATE),
                ("x-amz-content-sha256", EMPTY_SHA256),
            ],
            payload_hash: EMPTY_SHA256,
        },
        "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\n\
         x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=host;x-amz-content-sha256;x-amz-date,\
         Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    );
}

#[test]
fn test_suite_get_vanilla_query_order_key_case() {
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    );
    let request = SignedRequest {
        method: "GET",
        path: "/",
        query: &canonical_query(&[("Param2", "value2"), ("Param1", "value1")]),
        headers: &[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        payload_hash: EMPTY_SHA256,
    };
    assert_eq!(
        authorization(
            &credentials,
            "us-east-1",
            "service",
            "20150830T123600Z",
            &request
        ),
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,\
         SignedHeaders=host;x-amz-date,\
         Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
    );
}

#[test]
fn header_values_are_trimmed_and_their_spaces_collapsed() {
    let request = SignedRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &[("My-Header1", "  a   b   c  "), ("host", "h")],
        payload_hash: EMPTY_SHA256,
    };
    assert!(canonical_request(&request).contains("\nhost:h\nmy-header1:a b c\n"));
}
