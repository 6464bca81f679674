/// `?`: every key and command, grouped as the man page groups them.
enum HelpScreen {
    static let lines: [(String, Style)] = [
        ("Screens", .header),
        ("  1 Overview   2 Workers   3 Tasks   4 Queues   5 Beat   6 Events", .normal),
        ("  Enter  open the selected task (or failure group, or a worker's tasks)    Esc  back    ?  this help    q  quit", .normal),
        ("", .normal),
        ("Moving", .header),
        ("  Up/Down or k/j  one row      PgUp/PgDn or Ctrl-B/Ctrl-F  one page      g/G  first/last", .normal),
        ("", .normal),
        ("Tasks", .header),
        ("  /  filter by name, id, args, kwargs or worker (live; Esc clears)     t  cycle the state filter     x  clear filters", .normal),
        ("  s  cycle the sort column     F  follow the newest task     space  mark     *  mark all shown     u  unmark all", .normal),
        ("  r  revoke     T  terminate (asks the signal)     R  retry: send the same task again (asks the queue)", .normal),
        ("     revoke, terminate and retry act on the marked tasks, else on the selected one", .dim),
        ("  In a task's detail: Tab or n / p  walk its workflow tree     Enter  open that task     Esc  back to the last one", .normal),
        ("", .normal),
        ("Workers", .header),
        ("  +/-  grow/shrink the pool by one    a  autoscale MAX,MIN    c/C  add/cancel a queue    L  rate limit    S  shut down", .normal),
        ("", .normal),
        ("Beat", .header),
        ("  Enter  go to the task it sent last (Tasks)  e  edit its schedule and args (database store)", .normal),
        ("  d      disable/enable the entry             n  send it now (all asked of the beat)", .normal),
        ("", .normal),
        ("Queues", .header),
        ("  P  purge the selected queue", .normal),
        ("", .normal),
        ("Events", .header),
        ("  p or space  pause/resume      j/k  scroll back while paused", .normal),
        ("", .normal),
        ("Commands (:)", .header),
        ("  :revoke ID [ID ...]      :terminate ID [SIGNAL]     :retry ID [QUEUE]", .normal),
        ("  :autoscale NODE MAX MIN  :grow NODE [N]             :shrink NODE [N]", .normal),
        ("  :consume NODE QUEUE      :cancel NODE QUEUE         :purge QUEUE", .normal),
        ("  :ratelimit TASK RATE [NODE]                         :shutdown NODE", .normal),
        ("  :state STATE|all         :filter TEXT               :sort received|name|state|worker|runtime", .normal),
        ("  :help                    :q", .normal),
        ("", .normal),
        ("Every action asks first: y confirms, any other key cancels. Replies from each worker show in the status line.", .dim),
    ]

    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        Chrome.drawTop(&canvas, context, title: "Help — every key and command (Esc closes)")
        let height = max(0, canvas.rows - 2 - 3)
        let first = min(context.state.pageScroll, max(0, lines.count - height))
        for (offset, line) in lines.dropFirst(first).prefix(height).enumerated() {
            canvas.put(3 + offset, 2, line.0, line.1)
        }
        Chrome.drawBottom(&canvas, context, hints: "Esc back  j/k scroll  q quit")
    }
}
