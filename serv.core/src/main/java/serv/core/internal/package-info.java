/** The HTTP runtime: dispatcher, route table, built-in routes and server bootstrap. Not exported. */
package serv.core.internal;
