package org.jegress.sources.room;

/** The room connection could not be established or was lost for good. */
public class RoomConnectionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RoomConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
