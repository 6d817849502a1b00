package serv.blog.internal.jpa;

import java.time.LocalDateTime;

import javax.persistence.AttributeConverter;
import javax.persistence.Converter;

import serv.blog.internal.Timestamps;

/**
 * Timestamps as the blog answers them, from what Serv's EclipseLink platforms read: a LocalDateTime, as the database
 * holds it whatever the JVM's zone (PostgreSQL's timestamp, SQLite's text of it). The database sets these columns;
 * JPA only reads them (a value to write, say a query's parameter, is a LocalDateTime too: bound as it is).
 */
@Converter
public class IsoTimestamp implements AttributeConverter<String, Object> {

    @Override
    public Object convertToDatabaseColumn(String attribute) {
        return attribute == null ? null : LocalDateTime.parse(attribute);
    }

    @Override
    public String convertToEntityAttribute(Object column) {
        return Timestamps.iso(column);
    }
}
