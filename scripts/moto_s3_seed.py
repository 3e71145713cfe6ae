"""Seeds a running moto S3 server (scripts/moto.sh) for the S3 object source's tests, then turns
its authentication on, so every later request is checked as R2 would: its SigV4 signature
(recomputed by botocore) and the key's permissions.

usage: moto_s3_seed.py ENDPOINT BUCKET [--objects N] [--put KEY=FILE ...]

Creates BUCKET, N small objects under 20260101/ (to cross a 1000-key listing page), the objects
given with --put, and two IAM users whose keys it prints as JSON: `writer` (object read, write
and delete on nno-logs-* buckets: R2's "Object Read & Write" token, which deletes too) and
`reader` (object read only).
"""

import argparse
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("bucket")
    parser.add_argument("--objects", type=int, default=0)
    parser.add_argument("--put", action="append", default=[])
    args = parser.parse_args()

    session = boto3.session.Session(
        aws_access_key_id="seed", aws_secret_access_key="seed", region_name="us-east-1"
    )
    s3 = session.client("s3", endpoint_url=args.endpoint)
    iam = session.client("iam", endpoint_url=args.endpoint)

    s3.create_bucket(Bucket=args.bucket)
    def put(i: int) -> None:
        s3.put_object(Bucket=args.bucket, Key=f"20260101/{i:05d}.txt", Body=f"object {i}".encode())

    # In parallel: a thousand sequential puts take half a minute.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(args.objects)))
    for spec in args.put:
        key, _, path = spec.partition("=")
        with open(path, "rb") as f:
            s3.put_object(Bucket=args.bucket, Key=key, Body=f.read())

    def user(name: str, actions: list) -> dict:
        iam.create_user(UserName=name)
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": ["arn:aws:s3:::nno-logs-*", "arn:aws:s3:::nno-logs-*/*"],
                }
            ],
        }
        iam.put_user_policy(UserName=name, PolicyName="logs", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}

    # AWS names listing s3:ListBucket and a HEAD s3:GetObject; moto checks the operation's
    # own name (s3:ListObjectsV2, s3:HeadObject): both are granted.
    read = ["s3:ListBucket", "s3:ListObjectsV2", "s3:GetObject", "s3:HeadObject"]
    keys = {
        "writer": user("nno-logging", read + ["s3:PutObject", "s3:DeleteObject"]),
        "reader": user("nno-logging-read", read),
    }
    # From now on every request is authenticated and authorised.
    urllib.request.urlopen(
        # Not form-encoded: the server reads the count from the raw body.
        urllib.request.Request(
            f"{args.endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
    ).read()
    print(json.dumps(keys))


if __name__ == "__main__":
    main()
