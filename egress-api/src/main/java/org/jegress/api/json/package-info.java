/** Request files in the proto3 JSON mapping, as {@code lk egress start --type … request.json} reads them. */
package org.jegress.api.json;
