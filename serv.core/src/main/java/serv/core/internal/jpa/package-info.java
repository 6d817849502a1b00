/** JPA for Serv: persistence units bound to Serv databases, one EntityManager per request. Not exported. */
package serv.core.internal.jpa;
