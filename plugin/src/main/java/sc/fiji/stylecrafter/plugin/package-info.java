/**
 * The Fiji side: SciJava commands under Plugins > StyleCrafter (thin: they read their parameters, call the core and
 * show the result), the model service that keeps one model loaded, ImageJ images in and out.
 *
 * <p>Uses: the core (model-bundle) and ImageJ/SciJava; the core never uses it.
 */
package sc.fiji.stylecrafter.plugin;
