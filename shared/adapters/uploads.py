"""Uploads into a service's private, KMS-encrypted bucket, with presigned POST policies (see shared.uploads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.uploads import StoredObject, UploadTarget

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3UploadStore:
    def __init__(self, bucket: str, client: S3Client) -> None:
        self._bucket = bucket
        self._client = client

    def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        # The policy is what S3 enforces in AWS: this key, this type, at most the declared size.
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=int(expires_in.total_seconds()),
        )
        return UploadTarget(
            url=post["url"], fields=dict(post["fields"]), expires_at=datetime.now(UTC) + expires_in
        )

    def stored_object(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(size_bytes=head["ContentLength"], content_type=head.get("ContentType", ""))

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)
