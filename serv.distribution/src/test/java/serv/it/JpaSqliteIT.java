package serv.it;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** {@link JpaContract} on the embedded default database (SQLite). */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JpaSqliteIT extends JpaContract {

    @Configuration
    public Option[] config() {
        return serv((String) null, "serv.it.bundle.notes", notesBundle().toString());
    }

    @Override
    protected String anotherDatabaseUrl() {
        return null;
    }
}
