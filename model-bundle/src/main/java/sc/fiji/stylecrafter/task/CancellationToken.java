package sc.fiji.stylecrafter.task;

/** Asked before every sampling step; a cancelled run stops with {@link GenerationCancelledException}. */
@FunctionalInterface
public interface CancellationToken {

	CancellationToken NEVER = () -> false;

	boolean isCancelled();
}
