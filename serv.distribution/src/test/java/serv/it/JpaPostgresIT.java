package serv.it;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** {@link JpaContract} on a fresh PostgreSQL database. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JpaPostgresIT extends JpaContract {

    @Configuration
    public Option[] config() {
        return serv("databases:\n  default: {url: \"" + freshPostgres() + "\", pool_size: 4}\n",
                "serv.it.bundle.notes", notesBundle().toString());
    }

    @Override
    protected String anotherDatabaseUrl() {
        return freshPostgres();
    }
}
