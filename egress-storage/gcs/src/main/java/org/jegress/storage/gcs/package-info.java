/** Google Cloud Storage for finished outputs. */
package org.jegress.storage.gcs;
