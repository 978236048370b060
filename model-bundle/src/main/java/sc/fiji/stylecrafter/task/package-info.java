/**
 * Long work as the hosts see it: cancellation, progress and its stages, the clock that estimates the time left,
 * notices.
 *
 * <p>Uses: nothing of ours.
 */
package sc.fiji.stylecrafter.task;
