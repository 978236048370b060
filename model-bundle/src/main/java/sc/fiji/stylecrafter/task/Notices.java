package sc.fiji.stylecrafter.task;

/**
 * Where the model sends what it has to say while loading: facts for the curious (unused weights) as {@link Kind#INFO},
 * things the user can act on (a speed hint, a slow precision) as {@link Kind#ADVICE}. The command line prints advice and
 * hides facts; the Fiji plugin hands both to its log service, so no console window opens for them.
 */
@FunctionalInterface
public interface Notices {

	enum Kind {
		INFO, ADVICE
	}

	void notice(Kind kind, String message);

	/** Drops everything. */
	Notices NONE = (kind, message) -> {};
}
