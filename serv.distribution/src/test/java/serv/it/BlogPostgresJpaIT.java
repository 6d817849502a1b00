package serv.it;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** {@link BlogContract} on a fresh PostgreSQL database with the jpa repositories. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BlogPostgresJpaIT extends BlogContract {

    @Configuration
    public Option[] config() {
        return serv(yaml(freshPostgres(), repository()));
    }

    @Override
    protected String repository() {
        return "jpa";
    }
}
