"""Publishing the web app: build, incremental upload to the hosting bucket, CloudFront invalidation; and where
the local cloud serves a hosted site."""
from .publish import BuildResult, PublishResult, create_invalidation, publish, run_build
from ..local.sites import local_site, local_site_url, local_sites
from .upload import FileChange, SyncPlan, cache_control, content_etag, content_type, plan_sync

__all__ = ["BuildResult", "FileChange", "PublishResult", "SyncPlan", "cache_control", "content_etag", "content_type",
           "create_invalidation", "local_site", "local_site_url", "local_sites", "plan_sync", "publish", "run_build"]
