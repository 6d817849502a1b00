package serv.it;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** {@link BlogContract} on the embedded default database (SQLite) with the jpa repositories. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BlogSqliteJpaIT extends BlogContract {

    @Configuration
    public Option[] config() {
        return serv(yaml(null, repository()));
    }

    @Override
    protected String repository() {
        return "jpa";
    }
}
