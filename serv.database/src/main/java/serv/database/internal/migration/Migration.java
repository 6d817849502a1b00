package serv.database.internal.migration;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import serv.database.Dialect;
import serv.database.JavaMigration;

/**
 * One versioned migration of an extension: SQL read from its bundle,
 * {@code serv/migrations/<folder>/V<version>__<description>[.<dialect>].sql} (a dialect-specific file wins over
 * the plain one of the same version), or a {@link JavaMigration} service it registered.
 *
 * @param extension the bundle symbolic name of the extension
 * @param database the database it is applied to
 * @param version the version text, for example {@code 001} or {@code 2.1}
 * @param description words from the file name, or the Java migration's description
 * @param script the SQL text (line endings normalized); empty for a Java migration
 * @param code the Java migration, or null for SQL
 */
record Migration(String extension, String database, String version, String description, String script,
        JavaMigration code) {

    /** A SQL migration. */
    Migration(String extension, String database, String version, String description, String script) {
        this(extension, database, version, description, script, null);
    }

    /** A Java migration. */
    static Migration of(String extension, String database, JavaMigration code) {
        return new Migration(extension, database, code.version(), code.description(), "", code);
    }

    /** Runs it on {@code c}, inside the caller's transaction. */
    void run(Connection c, Dialect dialect) throws SQLException {
        if (code != null) {
            code.migrate(c, dialect);
            return;
        }
        try (Statement st = c.createStatement()) {
            for (String sql : statements()) {
                st.execute(sql);
            }
        }
    }

    static final Pattern FILE = Pattern.compile(
            "V(\\d+(?:[._]\\d+)*)__([A-Za-z0-9_-]+?)(?:\\.(postgresql|sqlite))?\\.sql");

    /** A down script: {@code U<version>__<words>[.<dialect>].sql} undoes {@code V<version>}. */
    static final Pattern DOWN_FILE = Pattern.compile(
            "U(\\d+(?:[._]\\d+)*)__([A-Za-z0-9_-]+?)(?:\\.(postgresql|sqlite))?\\.sql");

    /** Orders versions numerically part by part: 2 < 10, 1.2 < 1.10. */
    static final Comparator<String> VERSION_ORDER = (a, b) -> {
        String[] x = a.split("[._]");
        String[] y = b.split("[._]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            BigInteger p = i < x.length ? new BigInteger(x[i]) : BigInteger.ZERO;
            BigInteger q = i < y.length ? new BigInteger(y[i]) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    /** Parses a file name; null when it is not a migration for {@code dialect} (or for every dialect). */
    static Parsed parse(String fileName, Dialect dialect) {
        return parse(fileName, dialect, FILE);
    }

    /** Parses a file name of the given kind ({@link #FILE} or {@link #DOWN_FILE}). */
    static Parsed parse(String fileName, Dialect dialect, Pattern kind) {
        Matcher m = kind.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        String fileDialect = m.group(3);
        if (fileDialect != null && !fileDialect.equals(dialect.id())) {
            return null;
        }
        return new Parsed(m.group(1), m.group(2).replace('_', ' '), fileDialect != null);
    }

    /** What a file name says. */
    record Parsed(String version, String description, boolean dialectSpecific) {
    }

    /** SHA-256 of the script, hex; for a Java migration, {@code java:} and its own checksum. */
    String checksum() {
        if (code != null) {
            return "java:" + code.checksum();
        }
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A label for messages: extension, version and description. */
    String label() {
        return extension + " V" + version + " (" + description + ")";
    }

    /** The statements of the script, as {@link SqlScript} splits it. */
    List<String> statements() {
        return SqlScript.statements(script);
    }
}
