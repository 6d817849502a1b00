package serv.jpa.internal;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.function.BiFunction;

import org.eclipse.persistence.descriptors.ClassDescriptor;
import org.eclipse.persistence.internal.helper.ClassConstants;
import org.eclipse.persistence.internal.helper.DatabaseField;
import org.eclipse.persistence.mappings.DatabaseMapping;
import org.eclipse.persistence.mappings.foundation.AbstractDirectMapping;
import org.eclipse.persistence.sessions.Session;
import org.eclipse.persistence.sessions.SessionEvent;
import org.eclipse.persistence.sessions.SessionEventAdapter;

/**
 * Timestamps without a time zone read and written as the database holds them, whatever the JVM's zone: the part
 * of Serv's EclipseLink platforms ({@link ServPostgreSQLPlatform}, {@link SQLitePlatform}) they share.
 *
 * <p>EclipseLink reads a TIMESTAMP column with {@code ResultSet.getTimestamp} and binds a {@link LocalDateTime}
 * as {@code Timestamp.valueOf(...)}: both go through a calendar of the JVM's default zone, which moves a time that
 * zone skips in spring (Europe/Berlin, {@code 2026-03-29 02:30}) by an hour, both ways. Serv's platforms read such
 * a column as a {@link LocalDateTime} and bind a LocalDateTime as one, so native queries, attribute converters of
 * {@code Object} or {@code LocalDateTime} columns and {@code LocalDateTime} attributes see the database's value.
 * {@code java.util.Date}, {@code java.sql.Timestamp} and {@code Calendar} attributes are bound to a zone by nature:
 * they are read and written as before (through a {@code Timestamp} of the JVM's zone).
 */
final class LocalTimestamps {

    private LocalTimestamps() {
    }

    /**
     * {@code value}, a LocalDateTime the platform read, as {@code target} the way EclipseLink converted the
     * Timestamp it read before: a zone-bound type ({@code Timestamp}, {@code java.util.Date}, {@code java.sql.Date},
     * {@code Time}, {@code Calendar}) through {@code Timestamp.valueOf}, which the caller converts on as it did the
     * driver's Timestamp; a LocalDate or LocalTime as the value's part. {@code null} for any other value or target:
     * EclipseLink's own conversion applies.
     */
    static Object zoneBound(Object value, Class<?> target) {
        if (!(value instanceof LocalDateTime ldt) || target == null) {
            return null;
        }
        if (target == LocalDate.class) {
            return ldt.toLocalDate();
        }
        if (target == LocalTime.class) {
            return ldt.toLocalTime();
        }
        if (java.util.Date.class.isAssignableFrom(target) || target == java.util.Calendar.class
                || target == java.util.GregorianCalendar.class) {
            return Timestamp.valueOf(ldt);
        }
        return null;
    }

    /**
     * A platform's {@code convertObject}: {@code value} as {@code target} through {@link #zoneBound} where that applies,
     * through {@code platform} (EclipseLink's own conversion) for the rest and for what zoneBound gives on.
     */
    static Object convert(Object value, Class<?> target, BiFunction<Object, Class<?>, Object> platform) {
        Object converted = zoneBound(value, target);
        if (converted == null) {
            return platform.apply(value, target);
        }
        return converted.getClass() == target ? converted : platform.apply(converted, target);
    }

    /**
     * A listener that, once the session's descriptors are initialized, has {@code LocalDateTime} attributes (and
     * attribute converters whose column type is LocalDateTime) read through the platform: EclipseLink reads a field
     * typed LocalDateTime with {@code getTimestamp(...).toLocalDateTime()} itself, past the platform. Such a field
     * loses its Java type (EclipseLink then reads it through the platform's {@code getObjectFromResultSet} and writes
     * the attribute's value as it is) and keeps its JDBC type (a null is bound as a TIMESTAMP).
     */
    static SessionEventAdapter fieldsThroughPlatform() {
        return new SessionEventAdapter() {
            @Override
            public void postLogin(SessionEvent event) {
                Session session = event.getSession();
                for (ClassDescriptor descriptor : session.getDescriptors().values()) {
                    for (DatabaseMapping mapping : descriptor.getMappings()) {
                        if (mapping instanceof AbstractDirectMapping direct) {
                            untype(direct.getField());
                        }
                    }
                    for (DatabaseField field : descriptor.getAllFields()) {
                        untype(field);
                    }
                }
            }
        };
    }

    private static void untype(DatabaseField field) {
        if (field != null && field.getType() == ClassConstants.TIME_LDATETIME) {
            field.setTypeName(null); // else getType() would look the type up again by its name
            field.setType(null);
            field.setSqlType(Types.TIMESTAMP);
        }
    }
}
