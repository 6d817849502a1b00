package serv.blog.internal.jpa;

import java.sql.Timestamp;
import java.time.LocalDateTime;

import javax.persistence.AttributeConverter;
import javax.persistence.Converter;

import serv.blog.internal.Timestamps;

/**
 * Timestamps as the blog answers them, whatever the driver reads: PostgreSQL gives a timestamp, SQLite its text.
 * The database sets these columns; JPA only reads them.
 */
@Converter
public class IsoTimestamp implements AttributeConverter<String, Object> {

    @Override
    public Object convertToDatabaseColumn(String attribute) {
        return attribute == null ? null : Timestamp.valueOf(LocalDateTime.parse(attribute));
    }

    @Override
    public String convertToEntityAttribute(Object column) {
        return Timestamps.iso(column);
    }
}
