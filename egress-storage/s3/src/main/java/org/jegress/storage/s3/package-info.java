/** S3 and S3-compatible storage for finished outputs (AWS SDK v2). */
package org.jegress.storage.s3;
