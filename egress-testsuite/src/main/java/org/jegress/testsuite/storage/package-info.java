/** Storage emulators the storage tests upload to: S3Proxy in process, Azurite, fake-gcs-server, a strict OSS fake. */
package org.jegress.testsuite.storage;
