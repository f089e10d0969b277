import Glibc
import TerminalUI

/// A thread-safe queue of results from background work; posting wakes the run loop.
final class EventQueue<Event>: @unchecked Sendable {
    private var items: [Event] = []
    private var mutex = pthread_mutex_t()
    let waker: Waker

    init(waker: Waker) {
        self.waker = waker
        pthread_mutex_init(&mutex, nil)
    }

    func post(_ event: Event) {
        pthread_mutex_lock(&mutex)
        items.append(event)
        pthread_mutex_unlock(&mutex)
        waker.wake()
    }

    func take() -> [Event] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let out = items
        items.removeAll()
        return out
    }
}

/// Starts a detached thread.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    var tid = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(&tid, nil, { arg in
        let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
        b.body()
        return nil
    }, box)
    pthread_detach(tid)
}
