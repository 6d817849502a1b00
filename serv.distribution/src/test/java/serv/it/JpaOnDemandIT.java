package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Arrays;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

import serv.testkit.ServTestSupport;

/**
 * The JPA container (Apache Aries JPA) starts when JPA is first used, not with the server: a blog on its JDBC
 * repository serves without it; switched to JPA, its first request starts the container, and the entities it loads
 * from then on are woven, as with a container started at the start; or a bundle that waits for a JPA service of its
 * own starts it. A framework of its own for each test: nothing else may have used JPA before.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class JpaOnDemandIT extends ServTestSupport {

    private static final String BUILDER = "org.osgi.service.jpa.EntityManagerFactoryBuilder";
    private static final String WEAVED = "org.eclipse.persistence.internal.weaving.PersistenceWeaved";

    @Configuration
    public Option[] config() {
        return serv(BlogContract.yaml(null, "jdbc"));
    }

    @Test
    public void theJpaContainerStartsAtTheFirstUseOfJpaAndStillWeaves() throws Exception {
        assertEquals(200, awaitStatus("/posts", 200, Duration.ofSeconds(30)).status());
        Bundle container = bundle("org.apache.aries.jpa.container");
        assertEquals("the JPA container waits for JPA to be used", Bundle.RESOLVED, container.getState());
        assertEquals(null, context().getServiceReferences(BUILDER, null));
        assertTrue(health().body(), health().body().contains("\"status\":\"UP\""));

        // An entity class loaded before its unit was ever asked for cannot be woven any more (said in the log).
        Bundle blog = bundle("serv.blog");
        Class<?> loadedEarly = blog.loadClass("serv.blog.internal.jpa.UserEntity");

        BlogContract.useRepository("jpa");
        int author = BlogContract.createUser("ondemand");
        Answer created = send("POST", "/posts", "application/json",
                "{\"title\":\"on demand\",\"content\":\"woven\",\"author_id\":" + author + "}");
        assertEquals(created.body(), 201, created.status());
        assertEquals(Bundle.ACTIVE, container.getState());
        assertNotNull(context().getServiceReferences(BUILDER, "(osgi.unit.name=serv.blog)"));
        assertTrue("loaded after the container started: woven",
                woven(blog.loadClass("serv.blog.internal.jpa.PostEntity")));
        assertFalse("loaded before: not woven", woven(loadedEarly));
        assertEquals(200, get("/posts/" + created.body().replaceAll(".*\"id\":(\\d+).*", "$1")).status());
    }

    @Test
    public void aBundleThatWaitsForAJpaServiceStartsTheContainer() throws Exception {
        Bundle container = bundle("org.apache.aries.jpa.container");
        assertEquals(Bundle.RESOLVED, container.getState());
        ServiceTracker<Object, Object> emf = new ServiceTracker<>(context(), context().createFilter(
                "(&(objectClass=javax.persistence.EntityManagerFactory)(osgi.unit.name=serv.blog))"), null);
        emf.open(true);
        try {
            await("the JPA container", Duration.ofSeconds(20), () -> container.getState() == Bundle.ACTIVE);
            await("the blog's unit", Duration.ofSeconds(20), () -> {
                try {
                    return context().getServiceReferences(BUILDER, "(osgi.unit.name=serv.blog)") != null;
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            emf.close();
        }
    }

    private static boolean woven(Class<?> entity) {
        return Arrays.stream(entity.getInterfaces()).anyMatch(i -> i.getName().equals(WEAVED));
    }

    private static Bundle bundle(String symbolicName) {
        Bundle found = Arrays.stream(context().getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst().orElse(null);
        assertNotNull(symbolicName + " installed", found);
        return found;
    }
}
