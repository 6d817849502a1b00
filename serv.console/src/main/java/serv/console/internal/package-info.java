/** Serv in the Felix Web Console: the console's only login ({@code ConsoleSecurity}). Not exported. */
package serv.console.internal;
