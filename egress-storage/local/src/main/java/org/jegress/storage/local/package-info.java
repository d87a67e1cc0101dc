/** Local-disk storage: the default uploader, which writes outputs in place under the output directory. */
package org.jegress.storage.local;
