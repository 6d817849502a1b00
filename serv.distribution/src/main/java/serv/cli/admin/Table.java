package serv.cli.admin;

import java.util.ArrayList;
import java.util.List;

/** A plain text table for the terminal: columns as wide as their widest cell, long cells cut with "…". */
final class Table {

    private static final int MAX_CELL = 60;

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            String s = i < cells.length && cells[i] != null ? cells[i].toString() : "";
            s = s.replace('\n', ' ');
            r[i] = s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == 0 ? "" : "  ").append(String.format("%-" + Math.max(1, width[i]) + "s", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
            if (n == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < columns; i++) {
                    rule.append(i == 0 ? "" : "  ").append("-".repeat(Math.max(1, width[i])));
                }
                out.append(rule).append('\n');
            }
        }
        if (rows.size() == 1) {
            out.append("(none)\n");
        }
        return out.toString();
    }
}
