package serv.console.internal;

import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stand-ins for the services and servlet objects a test needs, as {@link Proxy}s: each answers the methods it is
 * given (by name) and the others with an empty value (null, 0, false, an empty list, map or optional).
 */
final class Fakes {

    /** A method's answer, from its arguments. */
    interface Answer {
        Object apply(Object[] args) throws Throwable;
    }

    private Fakes() {
    }

    static <T> T of(Class<T> type, Map<String, Answer> answers) {
        return type.cast(Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> {
                    Answer a = answers.get(method.getName());
                    if (a != null) {
                        return a.apply(args == null ? new Object[0] : args);
                    }
                    return switch (method.getName()) {
                        case "toString" -> type.getSimpleName() + " fake";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> empty(method.getReturnType());
                    };
                }));
    }

    static <T> T of(Class<T> type) {
        return of(type, Map.of());
    }

    private static Object empty(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class || type == long.class || type == short.class || type == byte.class) {
            return type == long.class ? 0L : type == int.class ? 0 : type == short.class ? (short) 0 : (byte) 0;
        }
        if (type == double.class || type == float.class) {
            return type == double.class ? 0.0 : 0.0f;
        }
        if (type == char.class) {
            return '\0';
        }
        if (type == Optional.class) {
            return Optional.empty();
        }
        if (type == List.class || type == Collection.class) {
            return List.of();
        }
        if (type == Map.class) {
            return Map.of();
        }
        return null;
    }
}
