"""Pushing to partners: the HTTP transport and its SSRF guard, signing, WebSub, IndexNow."""
