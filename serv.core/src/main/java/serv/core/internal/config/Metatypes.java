package serv.core.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.osgi.service.metatype.AttributeDefinition;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The metatype of bundle jars read from their {@code OSGI-INF/metatype/*.xml}, without a framework: what
 * {@code serv config validate} checks keys and values against, with the same rules the running server applies
 * through the Metatype service ({@link ConfigChecker#problem}).
 */
final class Metatypes {

    /** (Factory) PID to its attributes, by id. */
    private final Map<String, Map<String, AttributeDefinition>> byPid = new HashMap<>();

    static Metatypes of(List<Path> jars) throws IOException {
        Metatypes m = new Metatypes();
        for (Path jar : jars) {
            try (JarFile f = new JarFile(jar.toFile())) {
                for (JarEntry e : java.util.Collections.list(f.entries())) {
                    if (e.getName().startsWith("OSGI-INF/metatype/") && e.getName().endsWith(".xml")) {
                        try (InputStream in = f.getInputStream(e)) {
                            m.read(in);
                        } catch (ParserConfigurationException | SAXException ex) {
                            throw new IOException(jar.getFileName() + "!/" + e.getName() + " is not metatype XML: "
                                    + ex.getMessage(), ex);
                        }
                    }
                }
            }
        }
        return m;
    }

    private void read(InputStream in) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element root = factory.newDocumentBuilder().parse(in).getDocumentElement();
        Map<String, Map<String, AttributeDefinition>> ocds = new HashMap<>();
        for (Element ocd : children(root, "OCD")) {
            Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
            for (Element ad : children(ocd, "AD")) {
                List<String> options = new ArrayList<>();
                for (Element o : children(ad, "Option")) {
                    options.add(o.getAttribute("value"));
                }
                ads.put(ad.getAttribute("id"), new Attribute(ad.getAttribute("id"), ad.getAttribute("type"),
                        ad.getAttribute("description"), ad.getAttribute("min"), ad.getAttribute("max"), options));
            }
            ocds.put(ocd.getAttribute("id"), ads);
        }
        for (Element designate : children(root, "Designate")) {
            String pid = designate.hasAttribute("factoryPid") ? designate.getAttribute("factoryPid")
                    : designate.getAttribute("pid");
            for (Element object : children(designate, "Object")) {
                Map<String, AttributeDefinition> ads = ocds.get(object.getAttribute("ocdref"));
                if (ads != null && !pid.isEmpty()) {
                    byPid.put(pid, ads);
                }
            }
        }
    }

    /** The attributes of a (factory) PID; empty when no bundle describes it. */
    Map<String, AttributeDefinition> attributes(String pid) {
        return byPid.getOrDefault(pid, Map.of());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList all = parent.getChildNodes();
        for (int i = 0; i < all.getLength(); i++) {
            if (all.item(i) instanceof Element e && (e.getTagName().equals(name) || e.getTagName().endsWith(":" + name))) {
                out.add(e);
            }
        }
        return out;
    }

    /** An attribute of the XML, as the Metatype service would describe it. */
    private record Attribute(String id, String typeName, String description, String min, String max,
            List<String> options) implements AttributeDefinition {

        @Override
        public String getName() {
            return id;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return description;
        }

        @Override
        public int getCardinality() {
            return 0;
        }

        @Override
        public int getType() {
            return switch (typeName) {
                case "Long" -> LONG;
                case "Integer" -> INTEGER;
                case "Short" -> SHORT;
                case "Byte" -> BYTE;
                case "Double" -> DOUBLE;
                case "Float" -> FLOAT;
                case "Boolean" -> BOOLEAN;
                case "Char", "Character" -> CHARACTER;
                case "Password" -> PASSWORD;
                default -> STRING;
            };
        }

        @Override
        public String[] getOptionValues() {
            return options.isEmpty() ? null : options.toArray(String[]::new);
        }

        @Override
        public String[] getOptionLabels() {
            return getOptionValues();
        }

        /** "" when {@code value} is within min and max, else why not (numbers only). */
        @Override
        public String validate(String value) {
            try {
                double v = Double.parseDouble(value);
                if (!min.isEmpty() && v < Double.parseDouble(min)) {
                    return "below the minimum " + min;
                }
                if (!max.isEmpty() && v > Double.parseDouble(max)) {
                    return "above the maximum " + max;
                }
                return "";
            } catch (NumberFormatException e) {
                return "";
            }
        }

        @Override
        public String[] getDefaultValue() {
            return null;
        }
    }
}
