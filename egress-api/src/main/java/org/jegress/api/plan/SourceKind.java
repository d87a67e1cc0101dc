package org.jegress.api.plan;

/** Where media comes from: a browser rendering a page (WEB), or room tracks consumed directly (SDK). */
public enum SourceKind {
    WEB,
    SDK
}
