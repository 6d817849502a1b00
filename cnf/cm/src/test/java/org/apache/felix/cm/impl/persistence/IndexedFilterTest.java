package org.apache.felix.cm.impl.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.cm.PersistenceManager;
import org.apache.felix.cm.impl.SimpleFilter;
import org.junit.jupiter.api.Test;

/**
 * The patched cache (cm.patch) answers every filter as the original does, the indexed ones (equalities on
 * service.pid or service.factoryPid, alone, in an OR, or in an AND) included: each answer is compared with every
 * stored configuration matched against the filter one by one, before and after updates and deletions.
 */
class IndexedFilterTest {

    private static final String[] FILTERS = {
        "(service.pid=a)",
        "(SERVICE.PID=a)",
        "(service.pid=A)",
        "(|(service.pid=a)(service.pid=a|bsn)(service.pid=a|bsn|1.0)(service.pid=a|bsn|1.0|loc))",
        "(service.factoryPid=f)",
        "(|(service.factoryPid=f)(service.factoryPid=f|bsn)(service.factoryPid=f|bsn|1.0))",
        "(&(service.factoryPid=f)(name=one))",
        "(&(name=default)(service.factoryPid=g))",
        "(service.pid=nope)",
        "(service.factoryPid=nope)",
        "(name=default)",
        "(|(service.pid=a)(name=default))",
        "(service.pid=a*)",
        "(!(service.pid=a))",
        "(&(!(service.pid=a))(service.factoryPid=f))",
        "(.serv.source=*)",
    };

    @Test
    void everyFilterFindsWhatMatchingEachConfigurationFinds() throws Exception {
        Memory pm = new Memory();
        CachingPersistenceManagerProxy cache = new CachingPersistenceManagerProxy(pm);
        store(cache, "a", null, "name", "default");
        store(cache, "a|bsn", null);
        store(cache, "b", null, ".serv.source", "serv.config.yaml");
        store(cache, "f.1", "f", "name", "one");
        store(cache, "f.2", "f", "name", "two");
        store(cache, "f|bsn.3", "f|bsn", "name", "one");
        store(cache, "g.1", "g", "name", "default");
        compare(cache);
        store(cache, "f.2", "f", "name", "one"); // an update
        cache.delete("f.1");
        cache.delete("a");
        store(cache, "g.2", "g", "name", "default");
        compare(cache);
        // A fresh cache, loaded from the persistence manager by its first question.
        compare(new CachingPersistenceManagerProxy(pm));
    }

    private static void compare(CachingPersistenceManagerProxy cache) throws Exception {
        Set<String> all = pids(cache.getDictionaries(null));
        for (String text : FILTERS) {
            SimpleFilter filter = SimpleFilter.parse(text);
            Set<String> expected = new TreeSet<>();
            for (Dictionary d : cache.getDictionaries(null)) {
                if (filter.matches(d)) {
                    expected.add((String) d.get("service.pid"));
                }
            }
            assertEquals(expected, pids(cache.getDictionaries(filter)), text + " of " + all);
        }
    }

    private static Set<String> pids(Iterable<Dictionary> dictionaries) {
        Set<String> out = new TreeSet<>();
        for (Dictionary d : dictionaries) {
            out.add((String) d.get("service.pid"));
        }
        return out;
    }

    private static void store(CachingPersistenceManagerProxy cache, String pid, String factoryPid, String... kv)
            throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("service.pid", pid);
        if (factoryPid != null) {
            props.put("service.factoryPid", factoryPid);
        }
        for (int i = 0; i + 1 < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        cache.store(pid, props);
    }

    /** A persistence manager in memory. */
    private static final class Memory implements PersistenceManager {
        private final Map<String, Dictionary> stored = new HashMap<>();

        @Override
        public boolean exists(String pid) {
            return stored.containsKey(pid);
        }

        @Override
        public Dictionary load(String pid) {
            return stored.get(pid);
        }

        @Override
        public Enumeration getDictionaries() {
            return Collections.enumeration(stored.values());
        }

        @Override
        public void store(String pid, Dictionary properties) {
            stored.put(pid, new Hashtable<>(toMap(properties)));
        }

        @Override
        public void delete(String pid) {
            stored.remove(pid);
        }

        private static Map<Object, Object> toMap(Dictionary d) {
            Map<Object, Object> m = new HashMap<>();
            for (Enumeration<?> e = d.keys(); e.hasMoreElements();) {
                Object k = e.nextElement();
                m.put(k, d.get(k));
            }
            return m;
        }
    }
}
