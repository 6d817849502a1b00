/** The blog's routes. Not exported: an extension talks to the runtime only through services. */
package serv.blog.internal;
