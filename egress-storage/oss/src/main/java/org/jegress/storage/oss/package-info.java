/** Alibaba Cloud OSS storage for finished outputs. */
package org.jegress.storage.oss;
